import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Sends a request (optionally with a Node stream as body); answers like fetch. */
export type StreamTransport = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: Readable },
) => Promise<Response>;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Blob transfers over node:http(s) instead of fetch: undici's fetch keeps every byte of a
 * streamed request body in memory until the request ends (nodejs/undici#4058), which a 1 GB
 * blob cannot afford, and its response streams churn noticeably more memory than a piped
 * IncomingMessage. Here `pipe` gives real backpressure both ways. TLS is verified as by fetch;
 * redirects are not followed (the caller does that, with its own safety rules).
 */
export const nodeStreamTransport: StreamTransport = (url, init) =>
  new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method: init.method, headers: init.headers }, (response) => {
      const status = response.statusCode ?? 502;
      const body = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD' ? null : Readable.toWeb(response);
      if (body === null) response.resume();
      resolve(
        new Response(body as ReadableStream<Uint8Array> | null, {
          status,
          headers: toHeaders(response.headers),
        }),
      );
    });
    request.on('error', reject);
    const body = init.body;
    if (!body) {
      request.end();
      return;
    }
    // a failing source (e.g. a digest verifier) aborts the upload with its own error
    body.on('error', (error) => request.destroy(error));
    body.pipe(request);
  });

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
