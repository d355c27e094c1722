import { CloudError } from '../cloud-error';
import type { CloudResponse } from '../control-plane-server';

/** Lambda's restJson1 error shape: status, `x-amzn-errortype`, `{Type, message}`. */
export function lambdaErrorResponse(error: CloudError): CloudResponse {
  return {
    status: error.status,
    headers: { 'x-amzn-errortype': error.code, ...error.headers },
    json: { Type: error.status >= 500 ? 'Service' : 'User', message: error.message },
  };
}

export const notFound = (what: string) => new CloudError(404, 'ResourceNotFoundException', what);
export const invalidParameter = (message: string) =>
  new CloudError(400, 'InvalidParameterValueException', message);
export const conflict = (message: string) => new CloudError(409, 'ResourceConflictException', message);
export const throttled = () =>
  new CloudError(429, 'TooManyRequestsException', 'Rate exceeded', { 'retry-after': '1' });

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** S3's REST-XML error shape (HEAD responses carry no body; the SDK reads the status). */
export function s3ErrorResponse(error: CloudError): CloudResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', ...error.headers },
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>`,
    ),
  };
}
