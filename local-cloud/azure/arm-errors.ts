import { bearerProblem, type CloudAuth } from '../auth/cloud-auth';
import { CloudError } from '../cloud-error';
import type { CloudResponse } from '../control-plane-server';

/** ARM's error body: `{"error":{"code","message"}}`; the SDK turns it into a RestError. */
export function armErrorResponse(error: CloudError): CloudResponse {
  return {
    status: error.status,
    json: { error: { code: error.code, message: error.message } },
    headers: error.headers,
  };
}

export const notFound = (type: string, name: string, resourceGroup: string) =>
  new CloudError(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found.`,
  );

export const badRequest = (code: string, message: string) => new CloudError(400, code, message);

export const conflict = (name: string) =>
  new CloudError(
    409,
    'Conflict',
    `There is already an operation in progress which requires exclusive lock on this resource: ${name}. Retry after it completes.`,
  );

export const throttled = (retryAfterSeconds: number) =>
  new CloudError(
    429,
    'TooManyRequests',
    'The request is being throttled: too many requests for this subscription. Retry after the indicated delay.',
    { 'retry-after': String(retryAfterSeconds) },
  );

export const internalError = () =>
  new CloudError(500, 'InternalServerError', 'An internal server error occurred. Please retry the request.');

/** ARM's 401 for a call without the plane's bearer token. */
export function authenticateArm(authorization: string | undefined, auth: CloudAuth): CloudError | undefined {
  const problem = bearerProblem(authorization, auth);
  if (!problem) return undefined;
  const challenge = {
    'www-authenticate':
      'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
  };
  return problem === 'missing'
    ? new CloudError(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        challenge,
      )
    : new CloudError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', challenge);
}
