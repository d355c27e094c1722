/**
 * An error a local control plane answers with, in the cloud's own wire shape: the provider's
 * server turns it into a status code, an error-type header and a body the official SDK parses.
 */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
