import { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import { RegistryUnreachableError } from './errors';
import type { RegistryLogger } from './logger';
import { redactUrl } from './redact';
import { isRetryableStatus, isTransientNetworkError, type RetryPolicy, retryDelay, sleep } from './retry';
import { nodeStreamTransport, type StreamTransport } from './stream-transport';
import { parseWarnings } from './warning-header';

/** Request bodies are factories so that a retry, a redirect or an auth round-trip can replay them. */
export type BodyFactory = () => Uint8Array | string | Readable;

export interface HttpRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: BodyFactory;
  /** Safe to send again after a transient failure (GET/HEAD/PUT of bytes…). Streams are not. */
  retryable: boolean;
  /** A large response body (a blob download): use the streaming transport, like uploads. */
  streamed?: boolean;
}

export interface HttpClientOptions {
  /**
   * For tests: carries every request except streamed ones. Default: none, so everything goes over
   * node:http(s) and the process never loads undici (~15 MB of resident memory).
   */
  fetch?: typeof fetch;
  retry: RetryPolicy;
  logger: RegistryLogger;
  /** Injected by tests that must not wait for real backoff. */
  sleep?: (ms: number) => Promise<void>;
  /** For streamed bodies (uploads); default node:http(s), see stream-transport.ts. */
  streamTransport?: StreamTransport;
}

const MAX_REDIRECTS = 10;

/**
 * fetch with bounded retries (429/5xx/resets, Retry-After honoured), redirects followed by hand
 * (Authorization dropped off-origin, https→http refused) and registry Warning headers surfaced
 * once. Error statuses are returned, not thrown: callers know what they mean.
 */
export class HttpClient {
  private readonly warned = new Set<string>();
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpClientOptions) {
    this.wait = options.sleep ?? sleep;
  }

  async send(request: HttpRequest): Promise<Response> {
    const { retry } = this.options;
    for (let attempt = 1; ; attempt++) {
      const last = !request.retryable || attempt >= retry.maxAttempts;
      let response: Response;
      try {
        response = await this.sendFollowingRedirects(request);
      } catch (error) {
        if (last || !isTransientNetworkError(error)) throw wrapNetworkError(request.url, error);
        await this.wait(retryDelay(attempt, retry));
        continue;
      }
      if (last || !isRetryableStatus(response.status)) return response;
      await response.body?.cancel().catch(() => undefined);
      await this.wait(retryDelay(attempt, retry, response.headers.get('retry-after')));
    }
  }

  private async sendFollowingRedirects(request: HttpRequest): Promise<Response> {
    let url = new URL(request.url);
    let method = request.method;
    let body = request.body;
    const headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const payload = body?.();
      const { fetch } = this.options;
      const response =
        fetch === undefined || payload instanceof Readable || (request.streamed && payload === undefined)
          ? await (this.options.streamTransport ?? nodeStreamTransport)(url, {
              method,
              headers,
              body: payload,
            })
          : await fetch(url, { method, headers, body: payload, redirect: 'manual' });
      this.reportWarnings(response);
      const location = response.headers.get('location');
      if (!isRedirect(response.status) || location === null) return response;
      if (hop >= MAX_REDIRECTS) throw new UserError(`too many redirects from ${redactUrl(request.url)}`);
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new UserError(`refusing a redirect from ${redactUrl(url)} to a non-http(s) URL`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new UserError(
          `refusing a redirect from ${redactUrl(url)} down to plain http (${redactUrl(next)})`,
          {
            hint: 'A registry must not downgrade to http; this may be an interception attempt.',
          },
        );
      }
      // Credentials belong to the registry: never hand them to storage on another origin.
      if (next.origin !== url.origin) deleteHeader(headers, 'authorization');
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = 'GET';
        body = undefined;
        deleteHeader(headers, 'content-length');
        deleteHeader(headers, 'content-type');
      }
      url = next;
    }
  }

  private reportWarnings(response: Response): void {
    for (const text of parseWarnings(response.headers.get('warning'))) {
      if (this.warned.has(text)) continue;
      this.warned.add(text);
      this.options.logger.warn(text);
    }
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function deleteHeader(headers: Record<string, string>, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key];
}

function wrapNetworkError(url: string | URL, error: unknown): unknown {
  // fetch wraps a failing request-body stream (e.g. a digest verifier) as "fetch failed": surface
  // the user-facing cause rather than calling the registry unreachable
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof UserError) return current;
    current = current.cause;
  }
  return new RegistryUnreachableError(String(url), error);
}
