import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { publishFolder } from '../../../artifact/publish/publish-folder';
import { RegistryStore } from '../../../artifact/registry/registry-store';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { services, uniqueRepository } from '../../helpers/services';

let dir: string;
let digest: string;
let emulator: Emulator;

// The service folder holds no code at all: everything the function runs comes from the registry.
beforeAll(async () => {
  const registry = services().registry.host;
  const repository = uniqueRepository('emulate-registry');
  const published = await publishFolder(
    new RegistryStore({ registry, repository }),
    { sourceDir: join(__dirname, '../../../fixtures/lambda-behaviours'), patterns: ['!**', 'index.js'] },
    'v1',
  );
  digest = published.manifest.digest;
  dir = await mkdtemp(join(tmpdir(), 'faasport-registry-'));
  await writeFile(
    join(dir, 'serverless.yml'),
    `service: fromregistry\nprovider:\n  name: faasport\n  runtime: nodejs24.x\nfunctions:\n  direct:\n    handler: index.handler\n    sourceArtifact: ${registry}/${repository}:v1\n    events: [{ httpApi: GET /direct }]\n`,
  );
  emulator = await startEmulator(join(dir, 'serverless.yml'), {
    engine: 'process',
    artifacts: 'registry',
    logger: new MemoryLogger(),
  });
});

afterAll(async () => {
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('--artifacts registry runs the published bytes, cached by digest in the local layout', async () => {
  const response = await fetch(`${emulator.urls.gateway}/direct`);
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ functionName: 'fromregistry-dev-direct', invocations: 1 });
  // The manifest was cached, byte for byte, under its digest.
  const cached = await readFile(join(dir, '.faasport/store/blobs/sha256', digest.slice('sha256:'.length)));
  expect(createHash('sha256').update(cached).digest('hex')).toBe(digest.slice('sha256:'.length));
});
