import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';

const SERVICE = `service: reload
provider:
  name: faasport
  runtime: nodejs22.x
  targets:
    aws:
      region: us-east-1
    gcp:
      project: faasport-test
      region: europe-west1
    azure:
      location: westeurope
functions:
  g:
    handler: index.hello
    targets: [gcp]
    package: { patterns: ['!**', 'index.js'] }
  z:
    handler: z.handler
    targets: [azure]
    azure:
      entryPoint: z.js
    package: { patterns: ['!**', 'z.js'] }
  p:
    handler: p/index.handler
    targets: [aws, gcp, azure]
    gcp:
      entryPoint: hello
    azure:
      entryPoint: p/azure.js
    package: { patterns: ['!**', 'p/**'] }
    events: [{ httpApi: GET /p }]
`;

/** One artefact, three providers' entry points, one version they all report. */
const PORTABLE = {
  'p/version.js': (version: string) => `module.exports = ${JSON.stringify(version)};\n`,
  'p/index.js': `const version = require('./version');
exports.handler = async () => ({ version });
exports.hello = (req, res) => res.json({ version });
`,
  'p/azure.js': `const { app } = require('@azure/functions');
const version = require('./version');
app.http('p', { methods: ['GET'], handler: async () => ({ jsonBody: { version } }) });
`,
};

/** A functions-framework HTTP function (loaded from the package's index.js). */
const gcpCode = (version: string) =>
  `exports.hello = (req, res) => res.json({ version: ${JSON.stringify(version)} });\n`;
/** An Azure Node v4 app; `route` lets an edit move the HTTP route. */
const azureCode = (version: string, route = 'z') => `const { app } = require('@azure/functions');
app.http('z', {
  methods: ['GET'],
  route: ${JSON.stringify(route)},
  handler: async () => ({ jsonBody: { version: ${JSON.stringify(version)} } }),
});
`;
/** Line 2 does not parse. */
const BROKEN = `'use strict';\nexports.hello = (req, res) => res.json({ version: 'broken' ;\n`;

/** Reloading a GCP or Azure function starts a host: allow it more than eventually's default. */
const RELOAD = { timeoutMs: 20_000 };

describe.each(['process', 'docker'] as const)(
  'hot reload of GCP and Azure functions on the %s engine',
  (engine) => {
    let dir: string;
    let emulator: Emulator;
    const logger = new MemoryLogger();
    const get = async (url: string) => {
      const response = await fetch(url);
      const text = await response.text();
      return {
        status: response.status,
        version: response.status === 200 ? (JSON.parse(text) as { version?: string }).version : undefined,
        cold: response.headers.get('x-faasport-cold'),
      };
    };
    const gcp = () => get(`${emulator.urls.gcp}/reload-dev-g`);
    const azure = (route = 'z') => get(`${emulator.urls.azure}/api/${route}`);
    const reports = (fn: string) =>
      logger.lines.filter((line) => line.source === fn && line.text.startsWith('new code does not start'));

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'faasport-reload-'));
      await writeFile(join(dir, 'serverless.yml'), SERVICE);
      await writeFile(join(dir, 'index.js'), gcpCode('g1'));
      await writeFile(join(dir, 'z.js'), azureCode('z1'));
      await mkdir(join(dir, 'p'));
      await writeFile(join(dir, 'p', 'version.js'), PORTABLE['p/version.js']('p1'));
      await writeFile(join(dir, 'p', 'index.js'), PORTABLE['p/index.js']);
      await writeFile(join(dir, 'p', 'azure.js'), PORTABLE['p/azure.js']);
      emulator = await startEmulator(join(dir, 'serverless.yml'), {
        engine,
        gcpPort: 0,
        azurePort: 0,
        logger,
        watch: true,
      });
    });
    afterAll(async () => {
      await emulator?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    test('a GCP edit is served by the next request, cold on the new code', async () => {
      expect(await gcp()).toMatchObject({ status: 200, version: 'g1' });
      expect((await gcp()).cold).toBe('false');
      await writeFile(join(dir, 'index.js'), gcpCode('g2'));
      const reloaded = await eventually(gcp, (r) => r.version === 'g2', RELOAD);
      expect(reloaded).toMatchObject({ status: 200, cold: 'true' });
      // Said once the pack confirms the digest, which may come after the first request the new
      // code serves (a busy machine).
      await eventually(
        async () =>
          logger.lines.some(
            (l) => l.source === 'reload-dev-g' && /^reloaded [0-9a-f]{12} → [0-9a-f]{12}/.test(l.text),
          ),
        (said) => said,
      );
    });

    test('a broken GCP edit is reported once with its place; the old code keeps serving', async () => {
      await writeFile(join(dir, 'index.js'), BROKEN);
      const report = await eventually(
        async () => reports('reload-dev-g'),
        (lines) => lines.length > 0,
        RELOAD,
      );
      expect(report[0]?.text).toMatch(/^new code does not start: StartupFailure at index\.js:2: /);
      expect(report[0]?.text).toMatch(/still serving [0-9a-f]{12}/);
      expect(await gcp()).toMatchObject({ status: 200, version: 'g2' });
      await emulator.hotReload?.idle();
      expect(reports('reload-dev-g')).toHaveLength(1);

      await writeFile(join(dir, 'index.js'), gcpCode('g3'));
      expect(await eventually(gcp, (r) => r.version === 'g3', RELOAD)).toMatchObject({
        status: 200,
        cold: 'true',
      });
    });

    test('an Azure edit is served by the next request, cold, with the routes the new code registers', async () => {
      expect(await azure()).toMatchObject({ status: 200, version: 'z1' });
      await writeFile(join(dir, 'z.js'), azureCode('z2'));
      const reloaded = await eventually(azure, (r) => r.version === 'z2', RELOAD);
      expect(reloaded).toMatchObject({ status: 200, cold: 'true' });

      await writeFile(join(dir, 'z.js'), azureCode('z3', 'moved'));
      expect(
        await eventually(
          () => azure('moved'),
          (r) => r.version === 'z3',
          RELOAD,
        ),
      ).toMatchObject({ status: 200 });
      expect((await azure()).status).toBe(404);
    });

    test('a broken Azure edit is reported once with its place; the old code keeps serving', async () => {
      await writeFile(join(dir, 'z.js'), BROKEN);
      const report = await eventually(
        async () => reports('reload-dev-z'),
        (lines) => lines.length > 0,
        RELOAD,
      );
      expect(report[0]?.text).toMatch(/^new code does not start: WorkerLoadError at z\.js:2: /);
      expect(await azure('moved')).toMatchObject({ status: 200, version: 'z3' });
      await emulator.hotReload?.idle();
      expect(reports('reload-dev-z')).toHaveLength(1);

      await writeFile(join(dir, 'z.js'), azureCode('z4'));
      expect(
        await eventually(
          () => azure(),
          (r) => r.version === 'z4',
          RELOAD,
        ),
      ).toMatchObject({ status: 200 });
    });

    test('one artefact served by AWS, GCP and Azure: an edit reaches all three', async () => {
      const everywhere = async () => [
        (await get(`${emulator.urls.gateway}/p`)).version,
        (await get(`${emulator.urls.gcp}/reload-dev-p`)).version,
        (await azure('p')).version,
      ];
      expect(await everywhere()).toEqual(['p1', 'p1', 'p1']);
      await writeFile(join(dir, 'p', 'version.js'), PORTABLE['p/version.js']('p2'));
      const versions = await eventually(everywhere, (all) => all.every((v) => v === 'p2'), RELOAD);
      expect(versions).toEqual(['p2', 'p2', 'p2']);
    });
  },
);
