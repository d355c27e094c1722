type Waiter<T> = { resolve(grant: T): void; reject(error: Error): void; timer: NodeJS.Timeout };

/**
 * Requests waiting for capacity (Cloud Run's request queue, an Azure host's outstanding
 * requests), served first come first served. A waiter leaves the queue exactly once: handed a
 * grant, rejected when its bound passes, or rejected by `rejectAll`. Its bound is fixed when it
 * joins, and a grant is capacity already reserved for it, so it never waits twice.
 */
export class WaitQueue<T> {
  private readonly waiters: Waiter<T>[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Waits at most `boundMs` for a grant; past it, rejects with `expired()`. */
  wait(boundMs: number, expired: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        timer: setTimeout(() => {
          if (this.leave(waiter)) reject(expired());
        }, boundMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Hands `grant` to the request that has waited longest; false when none waits. */
  grant(grant: T): boolean {
    const waiter = this.waiters[0];
    if (!waiter || !this.leave(waiter)) return false;
    waiter.resolve(grant);
    return true;
  }

  /** Rejects every waiter (shutdown). */
  rejectAll(error: () => Error): void {
    for (const waiter of [...this.waiters]) if (this.leave(waiter)) waiter.reject(error());
  }

  /** Takes a waiter out and stops its timer; false when it had already left. */
  private leave(waiter: Waiter<T>): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    clearTimeout(waiter.timer);
    return true;
  }
}
