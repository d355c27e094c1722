import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { dockerClient } from '../../helpers/docker';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';
import { services } from '../../helpers/services';

const repoRoot = join(__dirname, '../../..');
const FUNCTION = 'image-reload-dev-hello';
// Every image this file builds carries this label, so afterAll removes exactly those.
const RUN_LABEL = `org.faasport.test-run=hot-reload-image-${randomBytes(4).toString('hex')}`;
const TAG = `faasport-test/hot-reload-image-${randomBytes(4).toString('hex')}:dev`;

const handler = (version: string) => `exports.handler = async (event) => {
  const ms = Number(event.queryStringParameters?.sleepMs ?? 0);
  if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
  return { version: ${JSON.stringify(version)} };
};
`;

/** A reload here rebuilds an image: wait longer, poll less often. */
const REBUILD = { timeoutMs: 60_000, intervalMs: 100 };
async function removeTestImages(): Promise<void> {
  const docker = dockerClient();
  const images = await docker.listImages({ all: true, filters: { label: [RUN_LABEL] } });
  for (const image of images) {
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
}

describe('hot reload of a container-image function with image.build (docker engine)', () => {
  let dir: string;
  let emulator: Emulator;
  const logger = new MemoryLogger();
  const lines = (pattern: RegExp) =>
    logger.lines.filter((line) => line.source === FUNCTION && pattern.test(line.text));
  const get = async (path = '/hello') => {
    const response = await fetch(`${emulator.urls.gateway}${path}`);
    return {
      status: response.status,
      version: ((await response.json()) as { version?: string }).version,
      cold: response.headers.get('x-faasport-cold'),
      instance: response.headers.get('x-faasport-instance'),
    };
  };
  /** Waits until a build that starts after `action` has ended (and anything it queued). */
  const afterBuild = async (action: () => Promise<void>) => {
    const started = lines(/changed: building the image/).length;
    await action();
    await eventually(
      () => lines(/changed: building the image/).length,
      (count) => count > started,
      REBUILD,
    );
    await emulator.imageReload?.idle();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-image-reload-'));
    await cp(join(repoRoot, 'fixtures/image-reload'), dir, { recursive: true });
    await cp(join(repoRoot, 'emulator/runtimes/aws/bootstrap.js'), join(dir, 'image/bootstrap.js'));
    const config = parse(await readFile(join(dir, 'serverless.yml'), 'utf8'));
    const build = [
      'docker',
      '--host',
      services().docker.host,
      'build',
      '--force-rm',
      '--label',
      RUN_LABEL,
      '-t',
      TAG,
      'image',
    ];
    config.functions.hello.sourceArtifact = TAG;
    config.functions.hello.image.build = build;
    await writeFile(join(dir, 'serverless.yml'), stringify(config));
    const [program = '', ...args] = build;
    await promisify(execFile)(program, args, { cwd: dir });
    emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: 'docker', logger, watch: true });
  }, 180_000);

  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
    await removeTestImages();
  });

  test('an edit is built and the next request runs cold on the new image; requests in flight finish on the old one', async () => {
    expect(await get()).toMatchObject({ status: 200, version: 'v1' });
    const inFlight = get('/hello?sleepMs=1500');
    await eventually(
      async () => {
        const response = await fetch(`${emulator.urls.gateway}/__faasport/functions`);
        const { functions } = (await response.json()) as { functions: { name: string; busy: number }[] };
        return functions.find((fn) => fn.name === FUNCTION)?.busy ?? 0;
      },
      (busy) => busy > 0,
      REBUILD,
    );
    await writeFile(join(dir, 'image/handler.js'), handler('v2'));
    const reloaded = await eventually(
      () => get(),
      (r) => r.version === 'v2',
      REBUILD,
    );
    expect(reloaded.cold).toBe('true');
    expect(await inFlight).toMatchObject({ status: 200, version: 'v1' });
    expect(lines(/^build \| /).length).toBeGreaterThan(0);
    expect(lines(/^reloaded image [0-9a-f]{12} → [0-9a-f]{12} in \d+ ms/)).toHaveLength(1);
  });

  test('a rebuild that yields the same image id restarts nothing', async () => {
    const before = await get();
    const future = new Date(Date.now() + 60_000);
    await afterBuild(() => utimes(join(dir, 'image/handler.js'), future, future));
    expect(lines(/^image unchanged \([0-9a-f]{12}\): nothing restarts$/).length).toBeGreaterThan(0);
    expect(await get()).toMatchObject({ version: before.version, cold: 'false', instance: before.instance });
  });

  test('a failed build is reported once with its last lines; the old image keeps serving', async () => {
    const good = (await get()).version;
    const dockerfile = join(dir, 'image/Dockerfile');
    const working = await readFile(dockerfile, 'utf8');
    const broken = working.replace('COPY handler.js', 'COPY missing-handler.js');
    await afterBuild(() => writeFile(dockerfile, broken));
    await afterBuild(() => writeFile(dockerfile, `${broken}\n`)); // fails the same way again
    const reports = lines(
      /^image build failed \(exit status \d+\) — still serving [0-9a-f]{12}; last lines:$/,
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]?.stream).toBe('stderr');
    const report = logger.lines.indexOf(reports[0] as (typeof logger.lines)[number]);
    const tail = logger.lines.slice(report + 1, report + 9).map((line) => line.text);
    expect(tail.some((text) => text.includes('missing-handler.js'))).toBe(true);
    expect((await get()).version).toBe(good);

    await writeFile(join(dir, 'image/handler.js'), handler('v3'));
    await writeFile(dockerfile, working);
    expect(
      await eventually(
        () => get(),
        (r) => r.version === 'v3',
        REBUILD,
      ),
    ).toMatchObject({ status: 200, cold: 'true' });
  });

  test('an image that builds but does not start is reported and not swapped in', async () => {
    const good = (await get()).version;
    await afterBuild(() =>
      writeFile(join(dir, 'image/handler.js'), 'exports.handler = async () => ({ version: "broken" ;\n'),
    );
    const reports = lines(/^new image [0-9a-f]{12} does not start: /);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.text).toMatch(/Runtime\.UserCodeSyntaxError/);
    expect(reports[0]?.text).toMatch(/still serving [0-9a-f]{12}$/);
    expect((await get()).version).toBe(good);

    await writeFile(join(dir, 'image/handler.js'), handler('v4'));
    expect(
      (
        await eventually(
          () => get(),
          (r) => r.version === 'v4',
          REBUILD,
        )
      ).status,
    ).toBe(200);
  });
});

describe('a container-image function without image.build', () => {
  test('the emulator says hot reload is off for it, and which setting turns it on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faasport-image-noreload-'));
    const logger = new MemoryLogger();
    let emulator: Emulator | undefined;
    try {
      await writeFile(
        join(dir, 'serverless.yml'),
        stringify({
          service: 'image-noreload',
          provider: { name: 'faasport', runtime: 'nodejs24.x' },
          functions: {
            hello: { packageType: 'image', sourceArtifact: TAG, events: [{ httpApi: 'GET /hello' }] },
          },
        }),
      );
      emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: 'docker', logger, watch: true });
      const off = logger.lines.filter(
        (line) => line.source === 'image-noreload-dev-hello' && line.text.startsWith('hot reload off'),
      );
      expect(off).toHaveLength(1);
      expect(off[0]?.text).toMatch(/set functions\.hello\.image\.build to the command that builds it/);
      expect(emulator.imageReload).toBeUndefined();
    } finally {
      await emulator?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
