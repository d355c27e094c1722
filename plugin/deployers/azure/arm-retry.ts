import { setTimeout as sleep } from 'node:timers/promises';

export interface ArmTiming {
  /** First backoff after a 409 or a throttle the SDK did not absorb; doubles up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Conflicts (another operation holds the site) waited out before giving up. */
  maxConflicts: number;
  /** Poll interval of long-running operations (a `Retry-After` from ARM wins). */
  pollMs: number;
  /** Bound on one long-running operation. */
  operationTimeoutMs: number;
}

export const CLOUD_TIMING: ArmTiming = {
  baseDelayMs: 5_000,
  maxDelayMs: 30_000,
  maxConflicts: 20,
  pollMs: 2_000,
  operationTimeoutMs: 20 * 60_000,
};
export const LOCAL_TIMING: ArmTiming = {
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxConflicts: 20,
  pollMs: 50,
  operationTimeoutMs: 60_000,
};

export const statusOf = (error: unknown): number | undefined =>
  (error as { statusCode?: number } | null)?.statusCode;

export const isNotFound = (error: unknown) => statusOf(error) === 404;

/**
 * Runs an ARM write with bounded retries: 409 (an operation in progress on the site, ours from
 * an interrupted run or someone else's) is waited out with backoff; a 429 that outlasted the SDK's
 * own throttling retries gets a few more. 5xx are the SDK's retry policy's business.
 */
export async function withArmRetries<T>(
  call: () => Promise<T>,
  options: { timing: ArmTiming; onRetry?: (why: string) => void },
): Promise<T> {
  const { timing } = options;
  let conflicts = 0;
  let throttles = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const status = statusOf(error);
      const attempt = conflicts + throttles;
      const delay = Math.min(timing.baseDelayMs * 2 ** Math.min(attempt, 8), timing.maxDelayMs);
      if (status === 409 && conflicts < timing.maxConflicts) {
        conflicts += 1;
        options.onRetry?.('another operation holds the site (409): waiting for it');
        await sleep(delay);
        continue;
      }
      if (status === 429 && throttles < 5) {
        throttles += 1;
        options.onRetry?.('throttled (429): backing off');
        await sleep(delay);
        continue;
      }
      throw error;
    }
  }
}
