import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import { toServiceModel } from '../../../common/service/service-model';
import { MemoryLogger } from '../../../emulator/logger';
import { runBuild } from '../../../emulator/watch/build-command';
import { ImageRebuild, type ImageReloadTarget, watchGlobs } from '../../../emulator/watch/image-rebuild';
import { type Config, useScratchSchemaCache, validateWithFramework } from '../plugin/framework-validator';

const FILE = '/srv/app/serverless.yml';
const REF = '127.0.0.1:5000/team/api:dev';

const service = (fields: Record<string, unknown>) => ({
  service: 'app',
  configValidationMode: 'error',
  provider: { name: 'faasport' },
  functions: { api: { packageType: 'image', sourceArtifact: REF, ...fields } },
});

const model = (fields: Record<string, unknown>) =>
  toServiceModel(service(fields), { serviceDir: '/srv/app', configFile: FILE });

/** The UserError loading `fields` throws (the CLI path: no framework schema). */
function loadError(fields: Record<string, unknown>): UserError {
  try {
    model(fields);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('functions.<fn>.image, as the CLI reads it', () => {
  test('a build command, watch globs and a tag are read as written', () => {
    const fn = model({
      image: { build: ['docker', 'build', '-t', REF, '.'], watch: ['src/**', 'Dockerfile'], tag: REF },
    }).functions[0];
    expect(fn?.imageBuild).toEqual({
      build: ['docker', 'build', '-t', REF, '.'],
      watch: ['src/**', 'Dockerfile'],
      tag: REF,
    });
  });

  test('watch and tag are optional; a function without image has no build', () => {
    expect(model({ image: { build: ['make', 'image'] } }).functions[0]?.imageBuild).toEqual({
      build: ['make', 'image'],
      watch: undefined,
      tag: undefined,
    });
    expect(model({}).functions[0]?.imageBuild).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>, string, RegExp]>([
    [
      'a command written as one string (it would need a shell)',
      { image: { build: `docker build -t ${REF} .` } },
      'functions.api.image.build',
      /list of arguments, not a string/,
    ],
    [
      'a whole command line as one item (a string after serverless@3 coerced it)',
      { image: { build: ['docker build -t x .'] } },
      'functions.api.image.build',
      /separate items \("docker build -t x \." is one item\)/,
    ],
    ['an empty command', { image: { build: [] } }, 'functions.api.image.build', /non-empty list/],
    [
      'a command with a number in it',
      { image: { build: ['sleep', 3] } },
      'functions.api.image.build',
      /strings/,
    ],
    ['no command at all', { image: { watch: ['src/**'] } }, 'functions.api.image.build', /non-empty list/],
    [
      'image as a string (an image URI)',
      { image: REF },
      'functions.api.image',
      /must be an object with `build`/,
    ],
    [
      'a misspelt setting',
      { image: { build: ['make'], wacth: ['src/**'] } },
      'functions.api.image.wacth',
      /not a setting/,
    ],
    [
      'watch as one string',
      { image: { build: ['make'], watch: 'src/**' } },
      'functions.api.image.watch',
      /list of globs/,
    ],
    [
      'a watch glob outside the service folder',
      { image: { build: ['make'], watch: ['src/**', '../shared/**'] } },
      'functions.api.image.watch[1]',
      /inside it/,
    ],
    [
      'an absolute watch glob',
      { image: { build: ['make'], watch: ['/etc/**'] } },
      'functions.api.image.watch[0]',
      /relative to the service folder/,
    ],
    [
      'a tag with a space',
      { image: { build: ['make'], tag: 'a b' } },
      'functions.api.image.tag',
      /image reference/,
    ],
    [
      'a zip function',
      { packageType: 'zip', image: { build: ['make'] } },
      'functions.api.image',
      /add `packageType: image`/,
    ],
  ])('refuses %s, naming the path, with an example', (_what, fields, path, detail) => {
    const error = loadError(fields);
    expect(error.message).toContain(`${FILE}: ${path} `);
    expect(error.message).toMatch(detail);
    expect(error.hint).toContain('build: [docker, build, -t, 127.0.0.1:5000/team/api:dev, .]');
  });
});

describe('functions.<fn>.image, as serverless@3 validates it through the plugin schema', () => {
  let restore: () => void;
  beforeAll(() => {
    restore = useScratchSchemaCache();
  });
  afterAll(() => restore());

  test('accepts a build command with watch globs and a tag', async () => {
    await expect(
      validateWithFramework(
        service({
          image: { build: ['docker', 'build', '-t', REF, '.'], watch: ['src/**'], tag: REF },
        }) as Config,
      ),
    ).resolves.toBeUndefined();
  });

  test('a string command reaches the model as one item (the framework coerces it), which refuses it', async () => {
    const config = service({ image: { build: 'docker build .' } }) as Config;
    await validateWithFramework(config);
    expect(() => toServiceModel(config, { serviceDir: '/srv/app', configFile: FILE })).toThrow(
      /functions\.api\.image\.build must list the program and each argument as separate items/,
    );
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['an unknown setting', { image: { build: ['make'], context: '.' } }, "at 'functions.api.image'"],
    ['no command', { image: { watch: ['src/**'] } }, "at 'functions.api.image'"],
  ])('rejects %s at its path', async (_what, fields, path) => {
    await expect(validateWithFramework(service(fields) as Config)).rejects.toThrow(path);
  });
});

describe('what a build watches by default', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-watch-globs-'));
    await mkdir(join(dir, 'images', 'api'), { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const globs = (build: string[], watch?: string[]) => watchGlobs({ build, watch, tag: undefined }, dir);

  test('the configured globs, when given', () => {
    expect(globs(['docker', 'build', 'images/api'], ['src/**'])).toEqual(['src/**']);
  });

  test('the build context a docker-style command names last, when it is a folder of the service', () => {
    expect(globs(['docker', 'build', '-t', REF, 'images/api'])).toEqual(['images/api/**']);
    expect(globs(['docker', 'build', '-t', REF, './images/api/'])).toEqual(['images/api/**']);
  });

  test('the whole service folder otherwise', () => {
    expect(globs(['docker', 'build', '-t', REF, '.'])).toEqual(['**']);
    expect(globs(['make', 'image'])).toEqual(['**']);
    expect(globs(['docker', 'build', '..'])).toEqual(['**']);
    expect(globs(['docker', 'build', '/tmp'])).toEqual(['**']);
  });
});

describe('the build command', () => {
  test('runs without a shell: every argument reaches the program literally', async () => {
    const seen: string[] = [];
    const tricky = '$(echo injected); echo also-injected | cat > /dev/null && `id` *';
    const run = runBuild(
      [process.execPath, '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', tricky, '*'],
      tmpdir(),
      (line) => seen.push(line),
    );
    expect(await run.done).toEqual({ ok: true });
    expect(JSON.parse(seen[0] ?? '[]')).toEqual([tricky, '*']);
  });

  test('a failure says how it ended and keeps the last lines', async () => {
    const run = runBuild(
      [process.execPath, '-e', 'for (let i = 1; i <= 9; i++) console.error("line " + i); process.exit(3)'],
      tmpdir(),
      () => undefined,
    );
    const outcome = await run.done;
    expect(outcome).toMatchObject({ ok: false, how: 'exit status 3' });
    expect(outcome.ok ? [] : outcome.tail).toEqual([
      'line 4',
      'line 5',
      'line 6',
      'line 7',
      'line 8',
      'line 9',
    ]);
  });

  test('a program that does not exist is reported, not thrown', async () => {
    const outcome = await runBuild(['faasport-no-such-build-tool'], tmpdir(), () => undefined).done;
    expect(outcome).toMatchObject({
      ok: false,
      how: expect.stringMatching(/cannot run "faasport-no-such-build-tool": not found/),
    });
  });
});

describe('rebuilding on change (a stand-in build, no engine)', () => {
  // The build holds until `release` exists and records overlapping runs, so the test decides when
  // a build ends and sees whether two ever ran at once.
  const BUILD = `const fs = require('node:fs');
const [lock, release, log] = process.argv.slice(1);
if (fs.existsSync(lock)) fs.appendFileSync(log, 'overlap\\n');
fs.writeFileSync(lock, '');
fs.appendFileSync(log, 'start\\n');
const wait = () => {
  if (!fs.existsSync(release)) return setTimeout(wait, 20);
  fs.rmSync(lock);
  fs.appendFileSync(log, 'end\\n');
};
wait();`;

  test('a change during a build makes one more build after it, never a second one at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faasport-rebuild-'));
    const state = await mkdtemp(join(tmpdir(), 'faasport-rebuild-state-'));
    const [lock, release, log] = ['lock', 'release', 'log'].map((name) => join(state, name)) as [
      string,
      string,
      string,
    ];
    await mkdir(join(dir, 'src'));
    const logger = new MemoryLogger();
    const updated: string[] = [];
    const base = model({
      image: { build: [process.execPath, '-e', BUILD, lock, release, log], watch: ['src/**'] },
    });
    const fn = base.functions[0];
    if (!fn?.imageBuild) throw new Error('the model has no image build');
    const target: ImageReloadTarget = {
      name: 'app-dev-api',
      model: { ...fn, imageBuild: fn.imageBuild },
      reference: REF,
      tryImage: async () => undefined,
      pinImage: () => undefined,
      updateImage: (id) => updated.push(id),
    };
    const rebuild = new ImageRebuild({
      serviceDir: dir,
      targets: [target],
      imageId: async () => 'sha256:0123456789abcdef', // the build changes nothing
      logger,
    });
    const seen = (pattern: RegExp) => logger.lines.filter((line) => pattern.test(line.text)).length;
    const until = async (pattern: RegExp, count: number) => {
      while (seen(pattern) < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    try {
      await rebuild.start();
      await writeFile(join(dir, 'src', 'a.js'), 'a');
      await until(/^src\/a\.js changed: building the image/, 1);
      await writeFile(join(dir, 'src', 'b.js'), 'b');
      await until(/^src\/b\.js changed during the build: one more build after it$/, 1);
      await writeFile(release, '');
      await until(/^src\/b\.js changed: building the image/, 1);
      await rebuild.idle();
      expect(seen(/changed: building the image/)).toBe(2);
      expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['start', 'end', 'start', 'end']);
      expect(seen(/^image unchanged \(0123456789ab\): nothing restarts$/)).toBe(2);
      expect(updated).toEqual([]);
    } finally {
      await rebuild.stop();
      await rm(dir, { recursive: true, force: true });
      await rm(state, { recursive: true, force: true });
    }
  });
});
