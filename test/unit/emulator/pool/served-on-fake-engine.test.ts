import { createServer } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import type { InstanceExit } from '../../../../emulator/engines/engine';
import { MemoryLogger } from '../../../../emulator/logger';
import { InstanceStartError, ServedFunction } from '../../../../emulator/served/served-function';
import { FakeEngine, type FakeInstance } from './fake-engine';

/** Plays a functions-framework instance: serves on PORT until it ends; `/hang` never answers. */
function httpInstance(instance: FakeInstance): void {
  if (instance.spec.env.BROKEN) {
    instance.spec.onOutput('stderr', 'Error: Cannot find module');
    instance.crash(1);
    return;
  }
  const server = createServer((req, res) => {
    if (req.url !== '/hang') res.end('ok');
  });
  server.listen(Number(instance.spec.env.PORT), '127.0.0.1');
  void instance.exited.then(() => {
    server.closeAllConnections();
    server.close();
  });
}

const open: ServedFunction[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((fn) => fn.close()));
});

function served(env: Record<string, string> = {}) {
  const engine = new FakeEngine(httpInstance);
  const exits: InstanceExit[] = [];
  const fn = new ServedFunction({
    name: 'fake-fn',
    engine,
    logger: new MemoryLogger(),
    codeDir: '/nowhere',
    launch: ({ port }) => ({
      labels: {},
      provider: 'gcp',
      language: 'node',
      runtimeId: 'nodejs22',
      bootstrap: 'gcp/bootstrap.js',
      memoryMb: 128,
      env: { ...env, PORT: String(port) },
    }),
    readiness: { kind: 'tcp' },
    startTimeoutMs: 2000,
    maxInstances: 1,
    perInstanceConcurrency: 1,
    maxQueueWaitMs: 1000,
    idleTimeoutMs: 0,
    onExit: (exit) => exits.push(exit),
  });
  open.push(fn);
  return { fn, engine, exits };
}

const get = (path: string) => ({ method: 'GET', path, headers: [], body: Buffer.alloc(0) });

describe('a served function on a fake engine', () => {
  test('a request past its timeout: the instance is killed exactly once, its exit not reported', async () => {
    const { fn, engine, exits } = served();
    const warm = await fn.send(get('/'), { timeoutMs: 1000 });
    expect(warm.outcome.kind).toBe('response');
    const timedOut = await fn.send(get('/hang'), { timeoutMs: 100 });
    expect(timedOut.outcome.kind).toBe('timeout');
    const [instance] = engine.instances;
    await instance?.exited;
    await fn.close();
    expect([instance?.kills, instance?.stops]).toEqual([1, 0]);
    expect(exits).toEqual([]);
    expect(fn.stats().instances).toBe(0);
  });

  test('an instance that exits before listening: the start error carries its output; killed once', async () => {
    const { fn, engine } = served({ BROKEN: '1' });
    const failed = await fn.send(get('/'), { timeoutMs: 1000 }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(InstanceStartError);
    expect((failed as InstanceStartError).message).toMatch(/exited \(code 1\) before listening/);
    expect((failed as InstanceStartError).output).toEqual(['Error: Cannot find module']);
    expect(engine.instances[0]?.ends).toBe(1);
  });
});
