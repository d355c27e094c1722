/** How long `eventually` keeps probing, and how often. */
export interface Patience {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Probes until `ok` accepts the value and resolves with it; rejects with the last value once
 * `timeoutMs` (15 s by default) has passed. For what a test waits on: a reload, a log line.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 50 }: Patience = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves once `condition()` holds, polled every 50 ms; rejects after `timeoutMs` (30 s). */
export async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  await eventually(condition, (reached) => reached, { timeoutMs });
}
