import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
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
  runtime: nodejs24.x
  memorySize: 128
functions:
  a:
    handler: a.handler
    package: { patterns: ['!**', 'a.js'] }
    events: [{ httpApi: GET /a }]
  b:
    handler: b.handler
    package: { patterns: ['!**', 'b.js'] }
    events: [{ httpApi: GET /b }]
`;

const handler = (version: string) => `exports.handler = async (event) => {
  const ms = Number(event.queryStringParameters?.sleepMs ?? 0);
  if (ms) await new Promise((r) => setTimeout(r, ms));
  return { version: ${JSON.stringify(version)} };
};
`;

describe.each(['process', 'docker'] as const)('hot reload on the %s engine', (engine) => {
  let dir: string;
  let emulator: Emulator;
  const logger = new MemoryLogger();
  const get = async (path: string) => {
    const response = await fetch(`${emulator.urls.gateway}${path}`);
    return {
      status: response.status,
      version: ((await response.json()) as { version?: string }).version,
      cold: response.headers.get('x-faasport-cold'),
      instance: response.headers.get('x-faasport-instance'),
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-reload-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'a.js'), handler('a1'));
    await writeFile(join(dir, 'b.js'), handler('b1'));
    emulator = await startEmulator(join(dir, 'serverless.yml'), { engine, logger, watch: true });
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an edit is served by the next request; the other function is not disturbed', async () => {
    expect((await get('/a')).version).toBe('a1');
    const b = await get('/b');
    await writeFile(join(dir, 'a.js'), handler('a2'));
    const reloaded = await eventually(
      () => get('/a'),
      (r) => r.version === 'a2',
    );
    expect(reloaded.cold).toBe('true');
    const bAfter = await get('/b');
    expect(bAfter).toMatchObject({ version: 'b1', cold: 'false', instance: b.instance });
    // The reload is said once the pack confirms the digest, which may come after the first request
    // the new code serves (a busy machine).
    await eventually(
      async () =>
        logger.lines.some(
          (l) => l.source === 'reload-dev-a' && /^reloaded [0-9a-f]{12} → [0-9a-f]{12}/.test(l.text),
        ),
      (said) => said,
    );
  });

  test('a touch without a change restarts nothing', async () => {
    const before = await get('/a');
    const future = new Date(Date.now() + 60_000);
    await utimes(join(dir, 'a.js'), future, future);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await emulator.hotReload?.idle();
    const after = await get('/a');
    expect(after).toMatchObject({ version: before.version, cold: 'false', instance: before.instance });
  });

  test('a broken edit is reported once with its place and the last good version keeps serving', async () => {
    const good = (await get('/a')).version;
    await writeFile(join(dir, 'a.js'), 'exports.handler = async () => ({ version: "broken" ;\n');
    const report = await eventually(
      async () =>
        logger.lines.filter(
          (l) => l.source === 'reload-dev-a' && l.text.startsWith('new code does not start'),
        ),
      (lines) => lines.length > 0,
    );
    expect(report[0]?.text).toMatch(/Runtime\.UserCodeSyntaxError at a\.js:1: SyntaxError/);
    expect(report[0]?.text).toMatch(/still serving [0-9a-f]{12}/);
    expect((await get('/a')).version).toBe(good);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(logger.lines.filter((l) => l.text.startsWith('new code does not start'))).toHaveLength(1);

    await writeFile(join(dir, 'a.js'), handler('a3'));
    expect(
      (
        await eventually(
          () => get('/a'),
          (r) => r.version === 'a3',
        )
      ).status,
    ).toBe(200);
  });

  test('requests in flight during a reload finish on the old code; none fails', async () => {
    const before = (await get('/a')).version;
    const inFlight = get('/a?sleepMs=1500');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeFile(join(dir, 'a.js'), handler('a4'));
    const statuses: number[] = [];
    const after = await eventually(
      async () => {
        const r = await get('/a');
        statuses.push(r.status);
        return r;
      },
      (r) => r.version === 'a4',
    );
    expect(after.version).toBe('a4');
    expect(await inFlight).toMatchObject({ status: 200, version: before });
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
