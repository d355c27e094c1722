import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryTiming {
  /** First backoff for IAM propagation; doubles up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Role propagation takes up to ~2 minutes. */
  iamBudgetMs: number;
  /** Conflicts: how many times to wait for the running update and try again. */
  maxConflicts: number;
}

export const CLOUD_TIMING: RetryTiming = {
  baseDelayMs: 2_000,
  maxDelayMs: 20_000,
  iamBudgetMs: 150_000,
  maxConflicts: 20,
};
export const LOCAL_TIMING: RetryTiming = {
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  iamBudgetMs: 30_000,
  maxConflicts: 20,
};

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? '';
const errorMessage = (error: unknown) => (error as { message?: string } | null)?.message ?? '';

/** A fresh role that Lambda cannot assume yet (400 InvalidParameterValueException). */
export function isRolePropagation(error: unknown): boolean {
  return (
    errorName(error) === 'InvalidParameterValueException' &&
    /cannot be assumed by Lambda|execution role does not have permissions/i.test(errorMessage(error))
  );
}

/** An update in progress, or a function still Pending (409). */
export function isConflict(error: unknown): boolean {
  return errorName(error) === 'ResourceConflictException' && !/already exist/i.test(errorMessage(error));
}

export function isAlreadyExists(error: unknown): boolean {
  return errorName(error) === 'ResourceConflictException' && /already exist/i.test(errorMessage(error));
}

export function isNotFound(error: unknown): boolean {
  return errorName(error) === 'ResourceNotFoundException';
}

/** Throttling the SDK's own retries did not absorb. */
export function isThrottled(error: unknown): boolean {
  return errorName(error) === 'TooManyRequestsException';
}

/**
 * Runs a Lambda write with bounded retries: on a conflict, waits for the function to settle
 * (`settle`, the SDK waiter) and tries again; on IAM propagation, backs off exponentially within
 * the budget; on throttling that outlasted the SDK's retries, backs off a few more times.
 */
export async function withLambdaRetries<T>(
  call: () => Promise<T>,
  options: { timing: RetryTiming; settle: () => Promise<void>; onRetry?: (why: string) => void },
): Promise<T> {
  const { timing } = options;
  const started = Date.now();
  let conflicts = 0;
  let backoffs = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (isConflict(error) && conflicts < timing.maxConflicts) {
        conflicts += 1;
        options.onRetry?.('an update is in progress: waiting for it');
        await options.settle();
        continue;
      }
      const delay = Math.min(timing.baseDelayMs * 2 ** backoffs, timing.maxDelayMs);
      if (isRolePropagation(error) && Date.now() - started + delay <= timing.iamBudgetMs) {
        backoffs += 1;
        options.onRetry?.('the role cannot be assumed yet (IAM propagation): retrying');
        await sleep(delay);
        continue;
      }
      if (isThrottled(error) && backoffs < 5) {
        backoffs += 1;
        options.onRetry?.('throttled: backing off');
        await sleep(delay);
        continue;
      }
      throw error;
    }
  }
}
