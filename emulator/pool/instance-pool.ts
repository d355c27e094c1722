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

/** A healthy instance being retired (idle, recycled, shutdown…) gets a graceful stop; a discarded one is killed. */
export function isDiscard(reason: string): reason is DiscardReason {
  return reason === 'timeout' || reason === 'crash' || reason === 'out of memory';
}

export interface PoolOptions<I> {
  /** For messages. */
  name: string;
  /** Most instances alive at once (reserved concurrency, max instances). */
  maxInstances: number;
  /** Invocations one instance serves at once: 1 for Lambda and GCF, many for an Azure host. */
  perInstanceConcurrency?: number;
  /** An idle instance is reclaimed after this long; 0 keeps instances forever. */
  idleTimeoutMs: number;
  /** When at the limit: wait this long for a free slot (GCP queues), 0 = throttle at once. */
  maxQueueWaitMs?: number;
  /** Cold start: create and initialise an instance. Errors are init failures. */
  create(): Promise<I>;
  /** Tear an instance down; called once per instance. */
  destroy(instance: I, reason: string): Promise<void>;
}

export interface Lease<I> {
  instance: I;
  /** The instance was created for this request. */
  cold: boolean;
}

type Slot<I> = {
  instance: I;
  generation: number;
  active: number;
  idleTimer: NodeJS.Timeout | undefined;
  retiring: boolean;
};

type Waiter = { resolve(): void; reject(error: Error): void; timer: NodeJS.Timeout };

/**
 * The lifecycle every provider shares: cold start on demand, warm reuse, a bounded number of
 * instances each serving a bounded number of requests, idle reclaim, and generations so that a
 * recycle or a code change retires instances without interrupting what they are doing.
 */
export class InstancePool<I> {
  private readonly slots = new Map<I, Slot<I>>();
  private starting = 0;
  private generation = 0;
  private closed = false;
  private readonly waiters: Waiter[] = [];
  private readonly perInstance: number;

  constructor(private readonly options: PoolOptions<I>) {
    this.perInstance = options.perInstanceConcurrency ?? 1;
  }

  get size(): number {
    return this.slots.size + this.starting;
  }

  /** A warm instance with spare capacity, else a new one, else wait or throttle. */
  async acquire(): Promise<Lease<I>> {
    for (;;) {
      if (this.closed) throw new Error(`${this.options.name} is shutting down`);
      const warm = this.findWarm();
      if (warm) {
        this.take(warm);
        return { instance: warm.instance, cold: false };
      }
      if (this.size < this.options.maxInstances) return { instance: await this.startNew(), cold: true };
      await this.waitForCapacity();
    }
  }

  /** Returns a lease; `discard` destroys the instance (crash, timeout, out of memory). */
  release(instance: I, options: { discard?: DiscardReason } = {}): void {
    const slot = this.slots.get(instance);
    if (!slot) return;
    slot.active -= 1;
    if (options.discard) {
      this.remove(slot, options.discard);
    } else if (slot.retiring || slot.generation !== this.generation) {
      if (slot.active === 0) this.remove(slot, 'recycled');
    } else if (slot.active === 0) {
      this.armIdleTimer(slot);
    }
    this.wakeOne();
  }

  /** Drops an instance that died on its own (between requests or under one). */
  evict(instance: I, reason: string): void {
    const slot = this.slots.get(instance);
    if (slot) void this.remove(slot, reason);
  }

  /**
   * Starts a new generation: idle instances go now, busy ones when their request finishes.
   * The next request is a cold start.
   */
  recycle(): void {
    this.generation += 1;
    for (const slot of [...this.slots.values()]) {
      slot.retiring = true;
      if (slot.active === 0) this.remove(slot, 'recycled');
    }
  }

  /** Starts instances ahead of traffic (eager warm-up, provisioned concurrency). */
  async prewarm(count: number): Promise<void> {
    const wanted = Math.min(count, this.options.maxInstances) - this.size;
    const started = await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.startNew()));
    for (const instance of started) this.release(instance);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${this.options.name} is shutting down`));
    }
    await Promise.all([...this.slots.values()].map((slot) => this.remove(slot, 'shutdown')));
  }

  stats(): { instances: number; busy: number; starting: number } {
    let busy = 0;
    for (const slot of this.slots.values()) if (slot.active > 0) busy += 1;
    return { instances: this.slots.size, busy, starting: this.starting };
  }

  private findWarm(): Slot<I> | undefined {
    for (const slot of this.slots.values()) {
      if (!slot.retiring && slot.generation === this.generation && slot.active < this.perInstance)
        return slot;
    }
    return undefined;
  }

  private take(slot: Slot<I>): void {
    slot.active += 1;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
  }

  private async startNew(): Promise<I> {
    this.starting += 1;
    const generation = this.generation;
    let instance: I;
    try {
      instance = await this.options.create();
    } finally {
      this.starting -= 1;
    }
    // close() ran while this instance was starting: it never saw it, so nobody else will end it.
    if (this.closed) {
      await this.options.destroy(instance, 'shutdown').catch(() => undefined);
      throw new Error(`${this.options.name} is shutting down`);
    }
    const slot: Slot<I> = { instance, generation, active: 1, idleTimer: undefined, retiring: false };
    this.slots.set(instance, slot);
    return instance;
  }

  private armIdleTimer(slot: Slot<I>): void {
    if (this.options.idleTimeoutMs <= 0) return;
    slot.idleTimer = setTimeout(() => {
      if (slot.active === 0) this.remove(slot, 'idle');
    }, this.options.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  private remove(slot: Slot<I>, reason: string): Promise<void> {
    if (!this.slots.delete(slot.instance)) return Promise.resolve();
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const done = this.options.destroy(slot.instance, reason).catch(() => undefined);
    this.wakeOne();
    return done;
  }

  private waitForCapacity(): Promise<void> {
    const maxWait = this.options.maxQueueWaitMs ?? 0;
    if (maxWait <= 0) return Promise.reject(new ThrottledError(this.options.name, this.options.maxInstances));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new ThrottledError(this.options.name, this.options.maxInstances));
        }, maxWait),
      };
      this.waiters.push(waiter);
    });
  }

  private wakeOne(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    waiter.resolve();
  }
}
