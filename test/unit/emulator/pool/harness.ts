import { vi } from 'vitest';
import type { InstanceExit, InstanceSpec } from '../../../../emulator/engines/engine';
import { InstancePool } from '../../../../emulator/pool/instance-pool';
import type { PoolPolicy } from '../../../../emulator/pool/pool-policy';
import { FakeEngine, type FakeInstance } from './fake-engine';

export type Pooled = { engine: FakeInstance; n: number };

type Limits = Partial<
  Pick<PoolPolicy<Pooled>, 'maxInstances' | 'perInstanceConcurrency' | 'idleTimeoutMs' | 'maxQueueWaitMs'>
>;

const spec: InstanceSpec = {
  name: 'fn',
  labels: {},
  provider: 'aws',
  language: 'node',
  runtimeId: 'nodejs24.x',
  codeDir: '/nowhere',
  bootstrap: 'aws/bootstrap.js',
  env: {},
  memoryMb: 128,
  onOutput: () => undefined,
};

/**
 * A pool of fake instances under the test's command: each start waits in `starting` until the
 * test calls `ready()` or `fail()` (or at once with `instantReady`); exits of their own are
 * recorded in `exits`.
 */
export function fakePool(limits: Limits = {}, options: { instantReady?: boolean } = {}) {
  const engine = new FakeEngine();
  const starting: Array<{ resolve(): void; reject(error: Error): void }> = [];
  const exits: Array<{ n: number; exit: InstanceExit }> = [];
  const pool = new InstancePool<Pooled>({
    name: 'fn',
    maxInstances: 2,
    idleTimeoutMs: 0,
    ...limits,
    launch: async () => ({ engine: await engine.start(spec), n: engine.instances.length }),
    ready: () =>
      options.instantReady
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => starting.push({ resolve, reject })),
    onExit: (instance, exit) => exits.push({ n: instance.n, exit }),
  });
  return {
    pool,
    engine,
    exits,
    /** The n-th instance the engine started (1-based). */
    instance: (n: number) => {
      const found = engine.instances[n - 1];
      if (!found) throw new Error(`no instance ${n}`);
      return found;
    },
    startsWaiting: () => starting.length,
    /** Lets the oldest start in progress become ready. */
    ready: async () => {
      await settle();
      const start = starting.shift();
      if (!start) throw new Error('no start in progress');
      start.resolve();
      await settle();
    },
    /** Fails the oldest start in progress. */
    fail: async (error = new Error('init failed')) => {
      await settle();
      const start = starting.shift();
      if (!start) throw new Error('no start in progress');
      start.reject(error);
      await settle();
    },
  };
}

/** Runs what is due now (promise callbacks and zero-delay timers) without moving the clock. */
export const settle = () => vi.advanceTimersByTimeAsync(0);

/** Records how a promise settles, and when (fake clock), without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const record: { settled: number; value?: T; error?: unknown; at?: number } = { settled: 0 };
  promise.then(
    (value) => {
      record.settled += 1;
      record.value = value;
      record.at = Date.now();
    },
    (error: unknown) => {
      record.settled += 1;
      record.error = error;
      record.at = Date.now();
    },
  );
  return record;
}
