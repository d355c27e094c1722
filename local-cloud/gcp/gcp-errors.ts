import { bearerProblem, type CloudAuth } from '../auth/cloud-auth';
import { CloudError } from '../cloud-error';
import type { CloudResponse } from '../control-plane-server';

/** google.rpc.Code by its name, for operation errors (`{"code": 10, …}`). */
export const RPC_CODES = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Google's JSON error shape: `{"error":{"code":<http status>,"message","status":"NOT_FOUND"}}`. */
export function gcpErrorResponse(error: CloudError): CloudResponse {
  return {
    status: error.status,
    headers: error.headers,
    json: { error: { code: error.status, message: error.message, status: error.code } },
  };
}

export const notFound = (message: string) => new CloudError(404, 'NOT_FOUND', message);
export const invalidArgument = (message: string) => new CloudError(400, 'INVALID_ARGUMENT', message);
export const alreadyExists = (message: string) => new CloudError(409, 'ALREADY_EXISTS', message);
export const aborted = (name: string) =>
  new CloudError(
    409,
    'ABORTED',
    `Could not update function ${name}: an operation on this function is already in progress. Please try again later.`,
  );
export const resourceExhausted = () =>
  new CloudError(
    429,
    'RESOURCE_EXHAUSTED',
    "Quota exceeded for quota metric 'Write requests' of service 'cloudfunctions.googleapis.com'.",
  );
export const unavailable = () => new CloudError(503, 'UNAVAILABLE', 'The service is currently unavailable.');

/** Google's 401 for a call without the plane's bearer token. */
export function authenticateGoogle(
  authorization: string | undefined,
  auth: CloudAuth,
): CloudError | undefined {
  const problem = bearerProblem(authorization, auth);
  if (!problem) return undefined;
  return new CloudError(
    401,
    'UNAUTHENTICATED',
    problem === 'missing'
      ? 'Request is missing required authentication credential: expected an OAuth 2 access token.'
      : 'Request had invalid authentication credentials: expected an OAuth 2 access token.',
    { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
  );
}
