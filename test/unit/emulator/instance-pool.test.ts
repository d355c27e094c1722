import { describe, expect, test } from 'vitest';
import { InstancePool } from '../../../emulator/pool/instance-pool';

type Instance = { id: number };

/** A pool whose cold starts finish only when the test says so, recording every destroy. */
function gatedPool(maxInstances = 2) {
  const gates: Array<(instance: Instance) => void> = [];
  const destroyed: Array<{ id: number; reason: string }> = [];
  let next = 0;
  const pool = new InstancePool<Instance>({
    name: 'fn',
    maxInstances,
    idleTimeoutMs: 0,
    create: () =>
      new Promise<Instance>((resolve) => {
        gates.push(resolve);
      }),
    destroy: async (instance, reason) => {
      destroyed.push({ id: instance.id, reason });
    },
  });
  const finishStart = () => {
    const gate = gates.shift();
    if (!gate) throw new Error('no start in progress');
    next += 1;
    gate({ id: next });
  };
  const startsInProgress = () => gates.length;
  return { pool, destroyed, finishStart, startsInProgress };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('instance pool shutdown', () => {
  test('an instance whose cold start ends after close() is destroyed at once, not leaked', async () => {
    const { pool, destroyed, finishStart, startsInProgress } = gatedPool();
    const lease = pool.acquire();
    await settle();
    expect(startsInProgress()).toBe(1);

    await pool.close();
    finishStart();

    await expect(lease).rejects.toThrow(/shutting down/);
    expect(destroyed).toEqual([{ id: 1, reason: 'shutdown' }]);
    expect(pool.stats()).toEqual({ instances: 0, busy: 0, starting: 0 });
  });

  test('prewarmed instances still starting at close() are destroyed when they come up', async () => {
    const { pool, destroyed, finishStart, startsInProgress } = gatedPool();
    const warming = pool.prewarm(2);
    await settle();
    expect(startsInProgress()).toBe(2);

    await pool.close();
    finishStart();
    finishStart();

    await expect(warming).rejects.toThrow(/shutting down/);
    await settle();
    expect(destroyed.map((entry) => entry.id).sort()).toEqual([1, 2]);
    expect(pool.size).toBe(0);
  });

  test('instances alive at close() are destroyed by close() itself', async () => {
    const { pool, destroyed, finishStart } = gatedPool();
    const lease = pool.acquire();
    await settle();
    finishStart();
    const { instance, cold } = await lease;
    expect(cold).toBe(true);
    pool.release(instance);

    await pool.close();

    expect(destroyed).toEqual([{ id: 1, reason: 'shutdown' }]);
    await expect(pool.acquire()).rejects.toThrow(/shutting down/);
  });
});
