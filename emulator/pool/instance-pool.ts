import type { PooledInstance, PoolPolicy } from './pool-policy';
import { WaitQueue } from './wait-queue';

/** Over the concurrency limit: AWS answers 429 TooManyRequestsException, GCP 429 after queueing. */
export class ThrottledError extends Error {
  constructor(
    readonly functionName: string,
    readonly limit: number,
  ) {
    super(`Rate Exceeded. ${functionName} is at its concurrency limit of ${limit}`);
  }
}

/** Why a lease discards its instance: the instance is broken, so it is killed, not asked to stop. */
export type DiscardReason = 'timeout' | 'crash' | 'out of memory';

/** Why an instance ends. A healthy one (idle, recycled, shutdown…) gets a graceful stop. */
export type EndReason =
  | DiscardReason
  | 'start failed'
  | 'exited'
  | 'idle'
  | 'recycled'
  | 'trial'
  | 'shutdown';

const KILLED: ReadonlySet<EndReason> = new Set(['timeout', 'crash', 'out of memory', 'start failed']);

/**
 * How long a crashing instance may take to exit by itself before it is killed:
 * its exit code is worth reporting.
 */
const CRASH_GRACE_MS = 2000;

export interface Lease<I> {
  instance: I;
  /** The instance was started for this request. */
  cold: boolean;
}

type Slot<I> = { instance: I; generation: number; active: number; idleTimer: NodeJS.Timeout | undefined };

/** What a queued request is handed: a warm instance already leased to it, or a cold start reserved for it. */
type Grant<I> = { slot: Slot<I> } | { start: true };

/**
 * The lifecycle every provider shares, in one place: cold start on demand, warm reuse, a bounded
 * number of instances each serving a bounded number of requests, a queue or a throttle at the
 * limit, idle reclaim, generations so that a recycle or a code change retires instances without
 * interrupting them, and one routine (`end`) that ends each instance exactly once.
 */
export class InstancePool<I extends PooledInstance> {
  private readonly slots = new Map<I, Slot<I>>();
  private readonly queue = new WaitQueue<Grant<I>>();
  /** Every instance's end, once begun: a second end of the same instance is the first one. */
  private readonly endings = new WeakMap<I, Promise<void>>();
  /** Ends not yet finished, for close() to wait for. */
  private readonly unfinished = new Set<Promise<void>>();
  /** Instances the pool has begun to end: their exit is not their own. */
  private readonly ended = new WeakSet<I>();
  private readonly perInstance: number;
  private starting = 0;
  private generation = 0;
  private closed = false;

  constructor(private readonly policy: PoolPolicy<I>) {
    this.perInstance = policy.perInstanceConcurrency ?? 1;
  }

  /** A warm instance with spare capacity, else a new one, else wait in line or throttle. */
  async acquire(): Promise<Lease<I>> {
    if (this.closed) throw this.shuttingDown();
    const grant = this.grantNow() ?? (await this.waitForGrant());
    if (this.closed) {
      // close() ran while this request waited for its turn.
      if ('slot' in grant) grant.slot.active -= 1;
      else this.starting -= 1;
      throw this.shuttingDown();
    }
    if ('slot' in grant) return { instance: grant.slot.instance, cold: false };
    return { instance: await this.startReserved(), cold: true };
  }

  /**
   * Returns a lease. With `discard` (timeout, crash, out of memory) the instance is killed; the
   * promise then settles once it is gone, else at once. It never rejects.
   */
  release(instance: I, discard?: DiscardReason): Promise<void> {
    if (discard) return this.end(instance, discard).catch(() => undefined);
    const slot = this.slots.get(instance);
    if (!slot) return Promise.resolve();
    slot.active -= 1;
    if (slot.generation !== this.generation) {
      if (slot.active === 0) void this.end(instance, 'recycled').catch(() => undefined);
      return Promise.resolve();
    }
    this.dispatch();
    if (slot.active === 0 && !slot.idleTimer) this.armIdleTimer(slot);
    return Promise.resolve();
  }

  /**
   * Starts a new generation: idle instances go now, busy ones when their request finishes, and
   * the next request is a cold start.
   */
  recycle(): void {
    this.generation += 1;
    for (const slot of [...this.slots.values()]) {
      if (slot.active === 0) void this.end(slot.instance, 'recycled').catch(() => undefined);
    }
  }

  /** Starts instances ahead of traffic (eager warm-up, provisioned concurrency). */
  async prewarm(count: number): Promise<void> {
    const wanted = Math.max(0, Math.min(count, this.policy.maxInstances) - this.size);
    this.starting += wanted;
    const started = await Promise.allSettled(Array.from({ length: wanted }, () => this.startReserved()));
    for (const outcome of started) if (outcome.status === 'fulfilled') void this.release(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Starts an instance outside the pool (a trial of new code): it holds no capacity and serves
   * no request; end it with `end(instance, 'trial')`. Throws the provider's start error.
   */
  async startAside(launch: () => Promise<I>): Promise<I> {
    const instance = await this.bringUp(launch);
    if (this.closed) {
      await this.end(instance, 'shutdown').catch(() => undefined);
      throw this.shuttingDown();
    }
    return instance;
  }

  /**
   * Ends an instance, the one way instances end: a broken one is killed, a healthy one stopped
   * gracefully (SIGTERM first, so that shutdown hooks run). Called again for the same instance
   * (a discard racing an exit, a recycle or close), it returns the first end.
   */
  end(instance: I, reason: EndReason): Promise<void> {
    const begun = this.endings.get(instance);
    if (begun) return begun;
    const slot = this.slots.get(instance);
    if (slot) {
      this.slots.delete(instance);
      clearTimeout(slot.idleTimer);
    }
    const ending = this.teardown(instance, reason);
    this.endings.set(instance, ending);
    const settled = ending.catch(() => undefined).finally(() => this.unfinished.delete(settled));
    this.unfinished.add(settled);
    if (slot) this.dispatch();
    return ending;
  }

  /** Throttles queued requests, ends every instance, and waits for every end (trials included). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.rejectAll(() => this.shuttingDown());
    for (const instance of [...this.slots.keys()]) void this.end(instance, 'shutdown').catch(() => undefined);
    // Instances still starting are ended when they come up (startReserved).
    await Promise.all([...this.unfinished]);
  }

  stats(): { instances: number; busy: number; starting: number } {
    let busy = 0;
    for (const slot of this.slots.values()) if (slot.active > 0) busy += 1;
    return { instances: this.slots.size, busy, starting: this.starting };
  }

  private get size(): number {
    return this.slots.size + this.starting;
  }

  /** Capacity for a request that arrives now; none while others wait, so that they keep their turn. */
  private grantNow(): Grant<I> | undefined {
    return this.queue.length > 0 ? undefined : this.reserve();
  }

  /** Takes a warm instance's spare capacity, else reserves a cold start under the limit. */
  private reserve(): Grant<I> | undefined {
    for (const slot of this.slots.values()) {
      if (slot.generation === this.generation && slot.active < this.perInstance) {
        slot.active += 1;
        clearTimeout(slot.idleTimer);
        slot.idleTimer = undefined;
        return { slot };
      }
    }
    if (this.size >= this.policy.maxInstances) return undefined;
    this.starting += 1;
    return { start: true };
  }

  private waitForGrant(): Promise<Grant<I>> {
    const { name, maxInstances, maxQueueWaitMs = 0 } = this.policy;
    if (maxQueueWaitMs <= 0) return Promise.reject(new ThrottledError(name, maxInstances));
    return this.queue.wait(maxQueueWaitMs, () => new ThrottledError(name, maxInstances));
  }

  /** Capacity may have freed: hand it to queued requests, oldest first. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const grant = this.reserve();
      if (!grant) return;
      this.queue.grant(grant);
    }
  }

  /** A cold start whose capacity is already counted in `starting`. */
  private async startReserved(): Promise<I> {
    const generation = this.generation;
    let instance: I;
    try {
      instance = await this.bringUp(() => this.policy.launch());
    } catch (error) {
      this.starting -= 1;
      this.dispatch();
      throw error;
    }
    this.starting -= 1;
    // close() ran while this instance was starting: it never saw it, so nobody else will end it.
    if (this.closed) {
      await this.end(instance, 'shutdown').catch(() => undefined);
      throw this.shuttingDown();
    }
    this.slots.set(instance, { instance, generation, active: 1, idleTimer: undefined });
    // A host that serves many requests at once has room for those that queued while it started.
    this.dispatch();
    return instance;
  }

  /** Launches and waits until ready; a start that fails is killed here. Watches for an exit of its own. */
  private async bringUp(launch: () => Promise<I>): Promise<I> {
    const instance = await launch();
    try {
      await this.policy.ready(instance);
    } catch (error) {
      await this.end(instance, 'start failed').catch(() => undefined);
      throw error;
    }
    // An instance that dies by itself, busy or idle, must not be handed the next request.
    void instance.engine.exited.then((exit) => {
      if (!this.ended.has(instance)) this.policy.onExit?.(instance, exit);
      void this.end(instance, 'exited').catch(() => undefined);
    });
    return instance;
  }

  private async teardown(instance: I, reason: EndReason): Promise<void> {
    if (reason === 'crash') await exitWithin(instance, CRASH_GRACE_MS);
    this.ended.add(instance);
    this.policy.detach?.(instance);
    await (KILLED.has(reason) ? instance.engine.kill() : instance.engine.stop());
    await this.policy.dispose?.(instance);
    this.policy.ended?.(instance, reason);
  }

  private armIdleTimer(slot: Slot<I>): void {
    if (this.policy.idleTimeoutMs <= 0) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.active === 0) void this.end(slot.instance, 'idle').catch(() => undefined);
    }, this.policy.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  private shuttingDown(): Error {
    return new Error(`${this.policy.name} is shutting down`);
  }
}

/** Resolves when the instance has exited or `ms` have passed, whichever is first. */
function exitWithin(instance: PooledInstance, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([instance.engine.exited, passed]).finally(() => clearTimeout(timer));
}
