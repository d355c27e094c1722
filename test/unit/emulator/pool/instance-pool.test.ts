import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ThrottledError } from '../../../../emulator/pool/instance-pool';
import { fakePool, settle, track } from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('leasing', () => {
  test('a released instance is reused warm; a new one is cold', async () => {
    const { pool, engine } = fakePool({}, { instantReady: true });
    const first = await pool.acquire();
    await pool.release(first.instance);
    const second = await pool.acquire();
    expect(first.cold).toBe(true);
    expect(second.cold).toBe(false);
    expect(second.instance).toBe(first.instance);
    expect(engine.instances).toHaveLength(1);
  });

  test('busy instances scale out to maxInstances, each one cold', async () => {
    const { pool, engine } = fakePool({ maxInstances: 3 }, { instantReady: true });
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(leases.map((lease) => lease.cold)).toEqual([true, true, true]);
    expect(new Set(leases.map((lease) => lease.instance)).size).toBe(3);
    expect(engine.instances).toHaveLength(3);
    expect(pool.stats()).toEqual({ instances: 3, busy: 3, starting: 0 });
  });

  test('an instance serves perInstanceConcurrency requests at once before another starts', async () => {
    const { pool, engine } = fakePool({ maxInstances: 2, perInstanceConcurrency: 2 }, { instantReady: true });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const c = await pool.acquire();
    expect(b.instance).toBe(a.instance);
    expect(b.cold).toBe(false);
    expect(c.instance).not.toBe(a.instance);
    expect(engine.instances).toHaveLength(2);
  });

  test('past the limit, without a queue, a request is throttled at once and starts nothing', async () => {
    const { pool, engine } = fakePool({ maxInstances: 2 });
    const a = track(pool.acquire());
    const b = track(pool.acquire());
    await settle();
    // Starts in progress count against the limit too.
    await expect(pool.acquire()).rejects.toBeInstanceOf(ThrottledError);
    expect(engine.instances).toHaveLength(2);
    expect(pool.stats().starting).toBe(2);
    expect(a.settled + b.settled).toBe(0);
  });

  test('a failed start is killed, its error reaches the caller, and its capacity is free again', async () => {
    const { pool, instance, fail, ready } = fakePool({ maxInstances: 1 });
    const first = pool.acquire();
    const failure = expect(first).rejects.toThrow('init failed');
    await fail();
    await failure;
    expect(instance(1).kills).toBe(1);
    expect(instance(1).stops).toBe(0);
    const second = track(pool.acquire());
    await ready();
    expect(second.value?.cold).toBe(true);
  });
});

describe('the wait queue (GCP, Azure)', () => {
  test('queued requests are served first come, first served', async () => {
    const { pool } = fakePool({ maxInstances: 1, maxQueueWaitMs: 1000 }, { instantReady: true });
    const held = await pool.acquire();
    const order: string[] = [];
    const queued = ['b', 'c', 'd'].map((name) =>
      pool.acquire().then(async (lease) => {
        order.push(name);
        await vi.advanceTimersByTimeAsync(10);
        await pool.release(lease.instance);
      }),
    );
    await settle();
    await pool.release(held.instance);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(queued);
    expect(order).toEqual(['b', 'c', 'd']);
  });

  test('a request that gets no capacity is throttled exactly at its bound', async () => {
    const { pool } = fakePool({ maxInstances: 1, maxQueueWaitMs: 1000 }, { instantReady: true });
    await pool.acquire();
    const start = Date.now();
    const queued = track(pool.acquire());
    await vi.advanceTimersByTimeAsync(999);
    expect(queued.settled).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(queued.error).toBeInstanceOf(ThrottledError);
    expect(queued.at).toBe(start + 1000);
  });

  test('one discard frees one instance: the next in line starts it, the other keeps its own bound', async () => {
    // Before: the discard woke both waiters; the second found no room, queued again with a fresh
    // bound, and was throttled at 1900 ms instead of 1000 ms.
    const { pool, ready } = fakePool({ maxInstances: 1, maxQueueWaitMs: 1000 });
    const held = track(pool.acquire());
    await ready();
    const start = Date.now();
    const b = track(pool.acquire());
    const c = track(pool.acquire());
    await vi.advanceTimersByTimeAsync(900);
    const instance = held.value?.instance;
    if (!instance) throw new Error('no lease');
    void pool.release(instance, 'timeout');
    await ready();
    expect(b.value?.cold).toBe(true);
    await vi.advanceTimersByTimeAsync(99);
    expect(c.settled).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.error).toBeInstanceOf(ThrottledError);
    expect(c.at).toBe(start + 1000);
    await vi.advanceTimersByTimeAsync(5000);
    expect([b.settled, c.settled]).toEqual([1, 1]);
  });

  test('a busy instance of an old generation finishing one request wakes no one', async () => {
    // An Azure host serving two requests is recycled: while it still serves one, there is no room,
    // and the waiters keep their place and their bounds.
    const { pool, ready } = fakePool({ maxInstances: 1, perInstanceConcurrency: 2, maxQueueWaitMs: 1000 });
    const first = track(pool.acquire());
    await ready();
    const second = await pool.acquire();
    const start = Date.now();
    const w = track(pool.acquire());
    await vi.advanceTimersByTimeAsync(50);
    const x = track(pool.acquire());
    pool.recycle();
    await vi.advanceTimersByTimeAsync(150);
    await pool.release(second.instance);
    await vi.advanceTimersByTimeAsync(300);
    expect([w.settled, x.settled]).toEqual([0, 0]);
    const host = first.value?.instance;
    if (!host) throw new Error('no lease');
    await pool.release(host);
    await ready();
    // The new host has room for both, in order.
    expect(w.value?.cold).toBe(true);
    expect(x.value?.cold).toBe(false);
    expect(x.value?.instance).toBe(w.value?.instance);
    expect(w.at).toBeLessThan(start + 1000);
  });

  test('a cold start that fails hands its room to the next in line', async () => {
    const { pool, fail, ready } = fakePool({ maxInstances: 1, maxQueueWaitMs: 1000 });
    const first = track(pool.acquire());
    const queued = track(pool.acquire());
    await fail();
    expect((first.error as Error).message).toBe('init failed');
    await ready();
    expect(queued.value?.cold).toBe(true);
  });

  test('a waiter throttled at its bound is never handed capacity afterwards', async () => {
    const { pool, engine } = fakePool({ maxInstances: 1, maxQueueWaitMs: 1000 }, { instantReady: true });
    const held = await pool.acquire();
    const queued = track(pool.acquire());
    await vi.advanceTimersByTimeAsync(1000);
    await pool.release(held.instance);
    await settle();
    expect(queued.settled).toBe(1);
    expect(queued.error).toBeInstanceOf(ThrottledError);
    // The released instance stayed free for the next request.
    const next = await pool.acquire();
    expect(next.instance).toBe(held.instance);
    expect(engine.instances).toHaveLength(1);
  });
});

describe('ending instances', () => {
  test('an idle instance is stopped after idleTimeoutMs; a reuse restarts the clock', async () => {
    const { pool, instance } = fakePool({ idleTimeoutMs: 5000 }, { instantReady: true });
    const lease = await pool.acquire();
    await pool.release(lease.instance);
    await vi.advanceTimersByTimeAsync(3000);
    await pool.release((await pool.acquire()).instance);
    await vi.advanceTimersByTimeAsync(4999);
    expect(instance(1).running).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(instance(1).running).toBe(false);
    expect([instance(1).stops, instance(1).kills]).toEqual([1, 0]);
    expect(pool.stats().instances).toBe(0);
    expect((await pool.acquire()).cold).toBe(true);
  });

  test('a busy instance is not reclaimed while idle time passes', async () => {
    const { pool, instance } = fakePool({ idleTimeoutMs: 1000 }, { instantReady: true });
    await pool.acquire();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(instance(1).ends).toBe(0);
  });

  test('recycle: idle instances stop now, busy ones finish first, nothing old is reused', async () => {
    const { pool, instance, engine } = fakePool({ maxInstances: 3 }, { instantReady: true });
    const busy = await pool.acquire();
    const idle = await pool.acquire();
    await pool.release(idle.instance);

    pool.recycle();
    await settle();
    expect(instance(2).stops).toBe(1);
    expect(instance(1).running).toBe(true);

    const next = await pool.acquire();
    expect(next.cold).toBe(true);
    expect(next.instance.engine).toBe(instance(3));
    await pool.release(busy.instance);
    await settle();
    expect([instance(1).stops, instance(1).kills]).toEqual([1, 0]);
    await pool.release(next.instance);
    expect((await pool.acquire()).instance).toBe(next.instance);
    expect(engine.instances).toHaveLength(3);
  });

  test('after a recycle, a busy host with room left takes no new request', async () => {
    const { pool, instance } = fakePool(
      { maxInstances: 2, perInstanceConcurrency: 2 },
      { instantReady: true },
    );
    const old = await pool.acquire();
    pool.recycle();
    const next = await pool.acquire();
    expect(next.cold).toBe(true);
    expect(next.instance).not.toBe(old.instance);
    expect(instance(1).running).toBe(true);
  });

  test('an instance still starting at a recycle serves its request, then is retired', async () => {
    const { pool, instance, ready } = fakePool();
    const lease = track(pool.acquire());
    await settle();
    pool.recycle();
    await ready();
    expect(lease.value?.cold).toBe(true);
    if (!lease.value) throw new Error('no lease');
    await pool.release(lease.value.instance);
    await settle();
    expect(instance(1).stops).toBe(1);
  });

  test('a discarded instance is killed exactly once, whatever else ends it', async () => {
    const { pool, instance } = fakePool({ maxInstances: 2, idleTimeoutMs: 1000 }, { instantReady: true });
    const lease = await pool.acquire();
    await Promise.all([pool.release(lease.instance, 'timeout'), pool.release(lease.instance, 'timeout')]);
    pool.recycle();
    await vi.advanceTimersByTimeAsync(5000);
    await pool.close();
    expect([instance(1).kills, instance(1).stops]).toEqual([1, 0]);
  });

  test('a timeout discard during a graceful shutdown does not kill the instance again', async () => {
    const { pool, instance } = fakePool({}, { instantReady: true });
    const lease = await pool.acquire();
    instance(1).stubborn = true;
    const closing = pool.close();
    const discarded = pool.release(lease.instance, 'timeout');
    await settle();
    expect([instance(1).stops, instance(1).kills]).toEqual([1, 0]);
    instance(1).crash(137);
    await Promise.all([closing, discarded]);
    expect(instance(1).ends).toBe(1);
  });

  test('a crash gets a grace period to exit on its own: reported, then ended once', async () => {
    const { pool, instance, exits } = fakePool({}, { instantReady: true });
    const lease = await pool.acquire();
    const ended = track(pool.release(lease.instance, 'crash'));
    await vi.advanceTimersByTimeAsync(500);
    expect(instance(1).ends).toBe(0);
    instance(1).crash(16);
    await settle();
    expect(ended.settled).toBe(1);
    expect(exits).toEqual([{ n: 1, exit: { code: 16, signal: null, outOfMemory: false } }]);
    expect(instance(1).ends).toBe(1);
  });

  test('an instance that exits by itself is reported once, dropped, and not handed out', async () => {
    const { pool, instance, exits } = fakePool({}, { instantReady: true });
    const lease = await pool.acquire();
    await pool.release(lease.instance);
    instance(1).crash(1);
    await settle();
    expect(exits.map((e) => e.n)).toEqual([1]);
    expect(instance(1).ends).toBe(1);
    const next = await pool.acquire();
    expect(next.cold).toBe(true);
    expect(next.instance).not.toBe(lease.instance);
  });

  test('an instance the pool ends is not reported as exiting by itself', async () => {
    const { pool, exits } = fakePool({}, { instantReady: true });
    const lease = await pool.acquire();
    await pool.release(lease.instance, 'timeout');
    await pool.close();
    expect(exits).toEqual([]);
  });
});

describe('prewarm and close', () => {
  test('prewarm starts instances up to the limit and leaves them idle and warm', async () => {
    const { pool, engine } = fakePool({ maxInstances: 2 }, { instantReady: true });
    await pool.prewarm(5);
    expect(pool.stats()).toEqual({ instances: 2, busy: 0, starting: 0 });
    expect((await pool.acquire()).cold).toBe(false);
    expect(engine.instances).toHaveLength(2);
  });

  test('a prewarm whose one start fails still leaves the others idle, not leased forever', async () => {
    const { pool, ready, fail } = fakePool({ maxInstances: 2 });
    const warming = pool.prewarm(2);
    const failure = expect(warming).rejects.toThrow('init failed');
    await ready();
    await fail();
    await failure;
    expect(pool.stats()).toEqual({ instances: 1, busy: 0, starting: 0 });
  });

  test('close(): queued requests are refused, in-flight instances stopped, starting ones stopped when up', async () => {
    const { pool, instance, ready, startsWaiting } = fakePool({ maxInstances: 2, maxQueueWaitMs: 1000 });
    const inFlight = track(pool.acquire());
    await ready();
    const starting = track(pool.acquire());
    const queued = track(pool.acquire());
    await settle();
    expect(startsWaiting()).toBe(1);

    await pool.close();
    expect((queued.error as Error).message).toMatch(/shutting down/);
    expect([instance(1).stops, instance(1).kills]).toEqual([1, 0]);
    expect(starting.settled).toBe(0);

    await ready();
    expect((starting.error as Error).message).toMatch(/shutting down/);
    expect([instance(2).stops, instance(2).kills]).toEqual([1, 0]);
    // The in-flight request finishing later changes nothing.
    if (!inFlight.value) throw new Error('no lease');
    await pool.release(inFlight.value.instance, 'timeout');
    expect(instance(1).ends).toBe(1);
    expect(pool.stats()).toEqual({ instances: 0, busy: 0, starting: 0 });
    await expect(pool.acquire()).rejects.toThrow(/shutting down/);
  });

  test('close() waits for instances it stops, and for trial instances still stopping', async () => {
    const { pool, instance, engine } = fakePool({}, { instantReady: true });
    await pool.acquire();
    const trial = await pool.startAside(async () => ({
      engine: await engine.start(instance(1).spec),
      n: 2,
    }));
    instance(1).stubborn = true;
    instance(2).stubborn = true;
    void pool.end(trial, 'trial');
    const closed = track(pool.close());
    await vi.advanceTimersByTimeAsync(1000);
    expect(closed.settled).toBe(0);
    instance(1).crash(137);
    await settle();
    expect(closed.settled).toBe(0);
    instance(2).crash(137);
    await settle();
    expect(closed.settled).toBe(1);
    expect([instance(2).stops, instance(2).kills]).toEqual([1, 0]);
  });
});
