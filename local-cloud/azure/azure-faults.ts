/**
 * Behaviour of the local Azure control plane that tests tune: the documented asynchronous
 * provisioning and the failures a deployer must survive. Mutable while the server runs.
 */
export interface AzureCloudBehaviour {
  /**
   * How long a site PUT stays `InProgress` behind its `Azure-AsyncOperation` URL. 0 = the PUT
   * completes at once (200/201 with no operation to poll).
   */
  provisioningMs: number;
  /** `Retry-After` (seconds) on operation-status answers; 0 = none (the client's own interval). */
  pollRetryAfterSeconds: number;
  /** `Retry-After` (seconds) on injected 429s. */
  throttleRetryAfterSeconds: number;
  /** The next N calls get 429 TooManyRequests with Retry-After. */
  throttleNext: number;
  /** The next N writes get 409 Conflict: another operation holds the site. */
  conflictNext: number;
  /** The next N calls get 500 InternalServerError. */
  serverErrorNext: number;
  /** The next N site PUTs are accepted, and their asynchronous operation ends `Failed`. */
  failNextOperations: number;
  /** Sites per page of a list (the rest behind `nextLink`). */
  pageSize: number;
}

export const DEFAULT_AZURE_BEHAVIOUR: AzureCloudBehaviour = {
  provisioningMs: 300,
  pollRetryAfterSeconds: 0,
  throttleRetryAfterSeconds: 1,
  throttleNext: 0,
  conflictNext: 0,
  serverErrorNext: 0,
  failNextOperations: 0,
  pageSize: 50,
};
