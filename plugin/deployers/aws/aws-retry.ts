import { setTimeout as sleep } from 'node:timers/promises';
import { propagationTimeout, type RoleStatus, roleProblem, waitingLine } from './role-check';

export interface RetryTiming {
  /** First backoff for IAM propagation; doubles up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Conflicts: how many times to wait for the running update and try again. */
  maxConflicts: number;
}

export const CLOUD_TIMING: RetryTiming = {
  baseDelayMs: 2_000,
  maxDelayMs: 20_000,
  maxConflicts: 20,
};
export const LOCAL_TIMING: RetryTiming = {
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxConflicts: 20,
};

/** How long a role Lambda cannot assume is waited for, unless rolePropagationTimeout says otherwise. */
export const DEFAULT_ROLE_PROPAGATION_MS = 60_000;

/** The execution role a call passes, for when Lambda says it cannot assume it. */
export interface RoleWait {
  arn: string;
  /** Give up after this long (from the first refusal). */
  timeoutMs: number;
  /** What IAM says about the role (asked once, on the first refusal). */
  status(): Promise<RoleStatus>;
}

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
 * (`settle`, the SDK waiter) and tries again; when Lambda cannot assume the role, asks IAM
 * whether it exists — a role that does not (or that does not trust Lambda) fails at once, one
 * that does is waited for with exponential backoff up to `role.timeoutMs`, saying so each time;
 * on throttling that outlasted the SDK's retries, backs off a few more times.
 */
export async function withLambdaRetries<T>(
  call: () => Promise<T>,
  options: {
    timing: RetryTiming;
    settle: () => Promise<void>;
    onRetry?: (why: string) => void;
    role?: RoleWait;
  },
): Promise<T> {
  const { timing, role } = options;
  let refusedSince: number | undefined;
  let status: RoleStatus | undefined;
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
      if (isRolePropagation(error) && role) {
        refusedSince ??= Date.now();
        status ??= await role.status();
        const problem = roleProblem(role.arn, status);
        if (problem) throw problem;
        const waited = Date.now() - refusedSince;
        if (waited >= role.timeoutMs) throw propagationTimeout(role.arn, role.timeoutMs);
        backoffs += 1;
        options.onRetry?.(waitingLine(role.arn, status, waited, role.timeoutMs));
        // the last try falls on the deadline, not after it
        await sleep(Math.min(delay, role.timeoutMs - waited));
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
