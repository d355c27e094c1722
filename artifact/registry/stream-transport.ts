import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** Sends a request (a Node stream body is piped, with backpressure); answers like fetch. */
export type StreamTransport = (
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: Readable | Uint8Array | string },
) => Promise<Response>;

/** Like undici's default body timeout: a registry that stops answering fails the request. */
const IDLE_TIMEOUT_MS = 300_000;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Bodies of responses this transport made, still unread, as the Node streams they came from. */
const nodeBodies = new WeakMap<Response, IncomingMessage>();
const taken = new WeakSet<IncomingMessage>();

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
      const hasBody = !NULL_BODY_STATUSES.has(status) && init.method !== 'HEAD';
      if (!hasBody) response.resume();
      const answer = new Response(hasBody ? lazyWebBody(response) : null, {
        status,
        headers: toHeaders(response.headers),
      });
      if (hasBody) nodeBodies.set(answer, response);
      resolve(answer);
    });
    request.on('error', reject);
    request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(idleTimeout(url)));
    const body = init.body;
    if (!(body instanceof Readable)) {
      // end(bytes) before any write sets Content-Length itself
      request.end(body);
      return;
    }
    // a failing source (e.g. a digest verifier) aborts the upload with its own error
    body.on('error', (error) => request.destroy(error));
    body.pipe(request);
  });

/**
 * The body of a response from `nodeStreamTransport` as its Node stream, read directly: no web
 * stream in between, which would copy every chunk (Readable.toWeb does, to detach it from
 * Node's pool) and double the garbage a blob download leaves for the collector. Undefined
 * for other responses, or once the web body was touched; afterwards the web body is unusable.
 */
export function takeNodeBody(response: Response): Readable | undefined {
  const incoming = nodeBodies.get(response);
  if (!incoming || response.bodyUsed || response.body?.locked) return undefined;
  nodeBodies.delete(response);
  taken.add(incoming);
  return incoming;
}

/**
 * A web body that reads nothing until asked (highWaterMark 0), so that `takeNodeBody` can still
 * hand over the untouched Node stream. Error bodies and manifests are read through it.
 */
function lazyWebBody(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (taken.has(incoming)) throw new Error('this body was taken as a Node stream');
        chunks ??= incoming[Symbol.asyncIterator]();
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      cancel() {
        incoming.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

function idleTimeout(url: URL): Error {
  return Object.assign(new Error(`no data from ${url.host} for ${IDLE_TIMEOUT_MS / 1000} s`), {
    code: 'ETIMEDOUT',
  });
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
