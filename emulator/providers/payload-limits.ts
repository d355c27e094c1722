import type { GatewayResponse } from '../gateway/gateway-response';
import { jsonResponse } from '../gateway/gateway-response';
import type { GatewayPort } from './front-ends';

const MiB = 1024 * 1024;

/** The largest request body a cloud's HTTP front door takes, and how it refuses a larger one. */
export interface RequestLimit {
  bytes: number;
  tooLarge(): GatewayResponse;
}

/**
 * Each gateway port's front door, as the cloud documents it: API Gateway takes 10 MB bodies
 * (the Lambda payload limit below then applies to the event it builds); Cloud Functions gen2
 * (Cloud Run) 32 MiB HTTP/1 requests; Azure Functions 100 MB (the host's request length limit).
 */
export const REQUEST_LIMITS: Record<GatewayPort, RequestLimit> = {
  gateway: { bytes: 10 * MiB, tooLarge: () => jsonResponse(413, { message: 'Request Too Long' }) },
  gcp: {
    bytes: 32 * MiB,
    tooLarge: () =>
      htmlResponse(413, '413 Request Entity Too Large: your client issued a request larger than 32 MiB.'),
  },
  azure: { bytes: 100 * MiB, tooLarge: () => ({ status: 413, headers: [], body: Buffer.alloc(0) }) },
};

/** Lambda's synchronous invocation payload limit (the request; the response is runtime-api.ts's). */
export const LAMBDA_SYNC_REQUEST_BYTES = 6 * MiB;

/** Which AWS HTTP front end refuses an event over Lambda's payload limit, and how. */
export type AwsHttpFrontEnd = 'rest' | 'http-api' | 'function-url';

export function lambdaRequestTooLarge(frontEnd: AwsHttpFrontEnd): GatewayResponse {
  const response =
    frontEnd === 'rest'
      ? jsonResponse(413, { message: 'Request Too Long' }, [['x-amzn-errortype', 'BadRequestException']])
      : frontEnd === 'http-api'
        ? jsonResponse(413, { message: 'Request Entity Too Large' })
        : jsonResponse(413, { Message: 'Request Entity Too Large' });
  return response;
}

/** Cloud Run's HTTP/1 response limit, which Cloud Functions gen2 inherits. */
export const GCP_RESPONSE_BYTES = 32 * MiB;

export function gcpResponseTooLarge(): GatewayResponse {
  return htmlResponse(500, '500 Internal Server Error: the response was larger than 32 MiB.');
}

function htmlResponse(status: number, text: string): GatewayResponse {
  return {
    status,
    headers: [['content-type', 'text/html; charset=UTF-8']],
    body: Buffer.from(`<!DOCTYPE html>\n<html lang=en><title>Error ${status}</title><p>${text}</p></html>\n`),
  };
}
