import { lstat, mkdir, readdir, readlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { publishFolder } from '../../../artifact/publish/publish-folder';
import { LayoutStore } from '../../../artifact/store/layout-store';
import { loadService } from '../../../common/service/load-service';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';
import { tempDir } from '../../helpers/temp-dir';

// A service with production dependencies: an edit of the handler reloads without unpacking the
// dependencies again (the new code folder links the same shared node_modules), a change to a
// dependency gets a new shared folder, and both engines run the code as packed — the same digest
// publish computes.
const SERVICE = `service: deps
provider:
  name: faasport
  runtime: nodejs24.x
  memorySize: 128
  timeout: 2
functions:
  api:
    handler: handler.api
    events: [{ httpApi: GET /api }]
  gcpapi:
    handler: gcp.api
    targets: [gcp]
`;

const handler = (version: string) =>
  `const greet = require('greeter');\nexports.api = async () => ({ statusCode: 200, body: JSON.stringify({ version: ${JSON.stringify(version)}, greeting: greet() }) });\n`;
const gcpHandler = `const greet = require('greeter');\nexports.api = (req, res) => res.json({ greeting: greet() });\n`;
const greeter = (word: string) =>
  `const shout = require('shout');\nmodule.exports = () => shout(${JSON.stringify(word)});\n`;

async function writeService(dir: string): Promise<void> {
  await writeFile(join(dir, 'serverless.yml'), SERVICE);
  await writeFile(join(dir, 'handler.js'), handler('v1'));
  await writeFile(join(dir, 'gcp.js'), gcpHandler);
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'deps', main: 'gcp.js', dependencies: { greeter: '1.0.0' } }),
  );
  for (const [name, deps, main] of [
    ['greeter', { shout: '1.0.0' }, greeter('hello')],
    ['shout', {}, 'module.exports = (s) => s.toUpperCase();\n'],
  ] as const) {
    await mkdir(join(dir, 'node_modules', name), { recursive: true });
    await writeFile(
      join(dir, 'node_modules', name, 'package.json'),
      JSON.stringify({ name, version: '1.0.0', dependencies: deps }),
    );
    await writeFile(join(dir, 'node_modules', name, 'index.js'), main);
  }
}

describe.each(['process', 'docker'] as const)('dependencies across reloads on the %s engine', (engine) => {
  test('an edit links the same dependencies; a dependency change gets its own, served as packed', async () => {
    const dir = await tempDir('faasport-deps-');
    const cache = await tempDir('faasport-deps-cache-');
    await writeService(dir);
    const logger = new MemoryLogger();
    const previous = process.env.FAASPORT_CACHE_DIR;
    process.env.FAASPORT_CACHE_DIR = cache;
    let emulator: Emulator | undefined;
    try {
      emulator = await startEmulator(join(dir, 'serverless.yml'), {
        engine,
        logger,
        watch: true,
        gcpPort: 0,
      });
      const started = emulator;
      const get = async () =>
        (await (await fetch(`${started.urls.gateway}/api`)).json()) as { version: string; greeting: string };
      const codeDirOf = () => {
        const code = started.hotReload
          ? (started as unknown as { prepared: Map<string, { codeDir: string }> }).prepared
          : undefined;
        return code?.get('deps-dev-api')?.codeDir;
      };
      expect(await get()).toEqual({ version: 'v1', greeting: 'HELLO' });
      const gcp = await fetch(`${started.urls.gcp}/deps-dev-gcpapi`);
      const gcpBody = await gcp.text();
      expect(gcpBody).toBe('{"greeting":"HELLO"}');

      const first = codeDirOf();
      expect(first).toBeDefined();
      const firstDeps = await readlink(join(first as string, 'node_modules'));

      await writeFile(join(dir, 'handler.js'), handler('v2'));
      expect(await eventually(get, (body) => body.version === 'v2')).toEqual({
        version: 'v2',
        greeting: 'HELLO',
      });
      await started.hotReload?.idle();
      const second = codeDirOf() as string;
      expect(second).not.toBe(first);
      expect((await lstat(join(second, 'node_modules'))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(second, 'node_modules'))).toBe(firstDeps); // not unpacked again
      // The edit was served from a draft (the last folder with handler.js put in) before any pack;
      // the pack that followed agreed with it, so the draft is that digest's folder — the same
      // digest publish computes for this source — and no second swap happened.
      expect(basename(second)).toMatch(/^draft-/);
      const model = await loadService(join(dir, 'serverless.yml'));
      const fn = model.functions.find((f) => f.key === 'api');
      const published = await publishFolder(
        new LayoutStore(await tempDir('faasport-deps-publish-')),
        {
          sourceDir: dir,
          patterns: fn?.packagePatterns,
          nodeModules: 'production',
          excludePackages: model.plugins,
        },
        'api',
      );
      expect(started.codeOf('deps-dev-api')).toMatchObject({
        codeDir: second,
        zipDigest: published.layer.digest,
        digest: published.manifest.digest,
      });
      expect(
        logger.lines.filter((l) => l.source === 'deps-dev-api' && l.text.startsWith('reloaded ')),
      ).toHaveLength(1);

      // node_modules is not watched (thousands of folders); the next reload packs what it holds.
      // An edit inside an installed package is not seen by the draft served first (its files are
      // not listed on that path), only by the pack that follows it: wait for that one.
      await writeFile(join(dir, 'node_modules', 'greeter', 'index.js'), greeter('bonjour'));
      await writeFile(join(dir, 'handler.js'), handler('v3'));
      expect(await eventually(get, (body) => body.version === 'v3')).toMatchObject({ version: 'v3' });
      await started.hotReload?.idle();
      expect(await get()).toEqual({ version: 'v3', greeting: 'BONJOUR' });
      const third = codeDirOf() as string;
      const thirdDeps = await readlink(join(third, 'node_modules'));
      expect(thirdDeps).not.toBe(firstDeps);
      expect(dirname(dirname(thirdDeps))).toBe(dirname(dirname(firstDeps)));

      // What nothing serves or drains on goes: the earlier code folders, their hosted copies
      // (GCP) and the dependencies only they used; the service's cache holds the one served.
      // Kept while requests started on it may still run (the longest timeout, 2 s, plus 5 s).
      const serviceCache = dirname(dirname(first as string));
      expect((await lstat(first as string)).isDirectory()).toBe(true);
      expect(
        await eventually(
          () => readdir(join(serviceCache, 'code')),
          (names) => names.length === 1,
          { timeoutMs: 20_000 },
        ),
      ).toEqual([third.split('/').at(-1)]);
      // The hosted copy (GCP) goes right after its code folder: only the one served is left.
      const hosted = await eventually(
        () => readdir(join(serviceCache, 'hosted')),
        (names) => names.length === 1,
      );
      expect(hosted[0]?.startsWith((third.split('/').at(-1) ?? '').slice(0, 40))).toBe(true);
      expect(await readdir(join(serviceCache, 'deps'))).toHaveLength(1);
    } finally {
      await emulator?.stop();
      if (previous === undefined) delete process.env.FAASPORT_CACHE_DIR;
      else process.env.FAASPORT_CACHE_DIR = previous;
    }
  });
});
