import { setTimeout as sleep } from 'node:timers/promises';

/** google.rpc.Code values the deployer acts on (the SDK puts them in `error.code`). */
export const RPC = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  UNAVAILABLE: 14,
} as const;

export interface GcpTiming {
  /** Operation polling: first delay, growth, cap, and the total time an operation may take. */
  pollInitialMs: number;
  pollMultiplier: number;
  pollMaxMs: number;
  operationTimeoutMs: number;
  /** Throttling and unavailability: first backoff (doubles), cap, attempts. */
  backoffMs: number;
  backoffMaxMs: number;
  maxAttempts: number;
}

/** Cloud builds take minutes: poll every few seconds, give up after 20 minutes. */
export const CLOUD_TIMING: GcpTiming = {
  pollInitialMs: 2_000,
  pollMultiplier: 1.5,
  pollMaxMs: 15_000,
  operationTimeoutMs: 20 * 60_000,
  backoffMs: 1_000,
  backoffMaxMs: 30_000,
  maxAttempts: 8,
};
export const LOCAL_TIMING: GcpTiming = {
  pollInitialMs: 25,
  pollMultiplier: 1.5,
  pollMaxMs: 250,
  operationTimeoutMs: 60_000,
  backoffMs: 50,
  backoffMaxMs: 1_000,
  maxAttempts: 8,
};

export const rpcCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

export const isNotFound = (error: unknown) => rpcCode(error) === RPC.NOT_FOUND;
export const isAlreadyExists = (error: unknown) => rpcCode(error) === RPC.ALREADY_EXISTS;
/** Worth another try after a pause: quota throttling, the service briefly unavailable. */
export const isTransient = (error: unknown) =>
  rpcCode(error) === RPC.RESOURCE_EXHAUSTED || rpcCode(error) === RPC.UNAVAILABLE;

/**
 * Runs a Cloud Functions call with bounded retries: throttling and unavailability back off
 * exponentially; ABORTED (another operation on the function) waits for it to settle (`settle`)
 * and tries again. The SDK retries none of these methods itself (all are non-idempotent).
 */
export async function withGcpRetries<T>(
  call: () => Promise<T>,
  options: { timing: GcpTiming; settle?: () => Promise<void>; onRetry?: (why: string) => void },
): Promise<T> {
  const { timing } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= timing.maxAttempts) throw error;
      if (rpcCode(error) === RPC.ABORTED && options.settle) {
        options.onRetry?.('another operation is running on the function: waiting for it');
        await options.settle();
        continue;
      }
      if (!isTransient(error)) throw error;
      options.onRetry?.(
        rpcCode(error) === RPC.RESOURCE_EXHAUSTED
          ? 'throttled: backing off'
          : 'service unavailable: retrying',
      );
      await sleep(Math.min(timing.backoffMs * 2 ** (attempt - 1), timing.backoffMaxMs));
    }
  }
}
