import { UserError } from '../../../common/errors';
import { type GcpTiming, isTransient, RPC, rpcCode, withGcpRetries } from './gcp-retry';

/** What the deployer needs of a google-gax long-running operation. */
export interface LongRunning {
  name?: string | null;
  /** google-gax's BackoffSettings (not a direct dependency, so spelled out). */
  backoffSettings: {
    initialRetryDelayMillis: number;
    retryDelayMultiplier: number;
    maxRetryDelayMillis: number;
    initialRpcTimeoutMillis?: number | null;
    rpcTimeoutMultiplier?: number | null;
    maxRpcTimeoutMillis?: number | null;
    totalTimeoutMillis?: number | null;
  };
  promise(): Promise<unknown>;
}

/**
 * google-gax polls with no total timeout by default: these settings bound it. Pass them as the
 * call's `longrunning` option, or set them on a re-attached operation.
 */
export function pollSettings(
  timing: GcpTiming,
  totalMs = timing.operationTimeoutMs,
): LongRunning['backoffSettings'] {
  return {
    initialRetryDelayMillis: timing.pollInitialMs,
    retryDelayMultiplier: timing.pollMultiplier,
    maxRetryDelayMillis: timing.pollMaxMs,
    initialRpcTimeoutMillis: 60_000,
    rpcTimeoutMultiplier: 1,
    maxRpcTimeoutMillis: 60_000,
    totalTimeoutMillis: Math.max(1, totalMs),
  };
}

/**
 * Waits for an operation to finish, within the total timeout. A poll that is throttled or finds
 * the service unavailable does not lose the operation: it is looked up again by name and the
 * wait goes on, against the same deadline. An operation that ends in error rejects with it.
 */
export async function awaitOperation(
  operation: LongRunning,
  reattach: (name: string) => Promise<LongRunning>,
  timing: GcpTiming,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timing.operationTimeoutMs;
  let current = operation;
  for (;;) {
    try {
      await current.promise();
      return;
    } catch (error) {
      const name = current.name ?? operation.name;
      if (rpcCode(error) === RPC.DEADLINE_EXCEEDED || Date.now() >= deadline) {
        throw new UserError(
          `${what}: operation ${name} did not finish within ${Math.round(timing.operationTimeoutMs / 1000)} s`,
          {
            hint: 'It may still complete in the cloud. Re-run `sls deploy`: it reads what is deployed and finishes what is left.',
          },
        );
      }
      if (!isTransient(error) || !name) throw error;
      current = await withGcpRetries(() => reattach(name), { timing });
      current.backoffSettings = pollSettings(timing, deadline - Date.now());
    }
  }
}
