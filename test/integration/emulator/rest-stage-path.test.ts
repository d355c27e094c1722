import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

// serverless-offline's `noPrependStageInUrl`: REST routes at the root, as a custom domain mapped
// to the stage serves them; the event still names the stage.
const SERVICE = `service: stagepath
provider:
  name: faasport
  runtime: nodejs24.x
functions:
  items:
    handler: handler.items
    events:
      - http: { method: get, path: 'items/{id}', cors: true }
custom:
  serverless-offline:
    noPrependStageInUrl: true
`;

describe('REST routes without the stage in the URL', () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-stage-path-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(
      join(dir, 'handler.js'),
      'exports.items = async (event) => ({ statusCode: 200, body: JSON.stringify({ path: event.path, stage: event.requestContext.stage, id: event.pathParameters.id }) });\n',
    );
    emulator = await startEmulator(join(dir, 'serverless.yml'), {
      engine: 'process',
      logger: new MemoryLogger(),
    });
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('are served at the root, with the stage in the event; the stage path is not served', async () => {
    const answer = await fetch(`${emulator.urls.gateway}/items/7`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ path: '/items/7', stage: 'dev', id: '7' });
    expect((await fetch(`${emulator.urls.gateway}/dev/items/7`)).status).toBe(404);
    const preflight = await fetch(`${emulator.urls.gateway}/items/7`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(200);
    expect(emulator.endpoints().some((e) => e.url === `${emulator.urls.gateway}/items/{id}`)).toBe(true);
  });
});
