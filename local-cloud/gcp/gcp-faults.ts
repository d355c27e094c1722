/**
 * Behaviour of the local Cloud Functions control plane that tests tune: the documented asynchronous
 * states and the failures a deployer must survive. Mutable while the server runs.
 */
export interface GcpCloudBehaviour {
  /** How long a create/update/delete operation runs before `done` (the function is DEPLOYING meanwhile). */
  operationMs: number;
  /** Every Nth API call gets 429 RESOURCE_EXHAUSTED (0 = never). */
  throttleEvery: number;
  /** The next N API calls get 503 UNAVAILABLE. */
  unavailableNext: number;
  /**
   * The next N create/update/delete calls find an operation already running on the function,
   * started by someone else: the function goes DEPLOYING for `operationMs` and the call gets 409 ABORTED.
   */
  abortedNext: number;
  /** The next N create/update operations end with an error (a failed build): the function is FAILED. */
  failOperationsNext: number;
  /** The next N creates land but their response is lost (503): a retry then meets 409 ALREADY_EXISTS. */
  lostCreateResponses: number;
  /**
   * Cloud Storage: buckets are implicit (any well-formed name exists), except these, which answer
   * 404 "The specified bucket does not exist." — a bucket nobody created.
   */
  missingBuckets: readonly string[];
  /** Cloud Storage: these buckets answer 403, as for an identity with no role on them. */
  deniedBuckets: readonly string[];
}

export const DEFAULT_GCP_BEHAVIOUR: GcpCloudBehaviour = {
  operationMs: 500,
  throttleEvery: 0,
  unavailableNext: 0,
  abortedNext: 0,
  failOperationsNext: 0,
  lostCreateResponses: 0,
  missingBuckets: [],
  deniedBuckets: [],
};
