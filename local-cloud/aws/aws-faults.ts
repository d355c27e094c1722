/**
 * Behaviour of the local AWS control plane that tests tune: the documented asynchronous states and
 * the failures a deployer must survive. Mutable while the server runs.
 */
export interface AwsCloudBehaviour {
  /** How long a new function stays `Pending` before `Active`. */
  pendingMs: number;
  /** How long `LastUpdateStatus` stays `InProgress` after an update. */
  updateMs: number;
  /** The next N CreateFunction calls fail as with a freshly created IAM role (400). */
  rolePropagationFailures: number;
  /**
   * Role ARNs that do not exist: CreateFunction and UpdateFunctionConfiguration naming one get
   * the same 400 as a fresh role (Lambda cannot tell them apart), and IAM GetRole NoSuchEntity.
   */
  missingRoles: readonly string[];
  /**
   * The next N update calls (code, configuration, tags, concurrency) find an update already in
   * progress, started by someone else: the function goes InProgress and the call gets 409.
   */
  concurrentUpdates: number;
  /** Every Nth API call gets 429 TooManyRequestsException (0 = never). */
  throttleEvery: number;
}

export const DEFAULT_AWS_BEHAVIOUR: AwsCloudBehaviour = {
  pendingMs: 1_000,
  updateMs: 500,
  rolePropagationFailures: 0,
  missingRoles: [],
  concurrentUpdates: 0,
  throttleEvery: 0,
};
