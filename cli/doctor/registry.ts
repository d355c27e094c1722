import { isIP } from 'node:net';
import { UserError } from '../../common/errors';
import type { CheckResult } from './check';

/** `fetch`'s shape, so unit tests can stand in for the network. */
export type Fetch = (url: string, init: RequestInit) => Promise<Pick<Response, 'status'>>;

function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/**
 * The `/v2/` URL of a registry given as `host[:port]` (an `http://` or `https://` prefix is
 * accepted). Plain HTTP only for loopback hosts: anything else must be verified TLS.
 */
export function registryBaseUrl(input: string): URL {
  const trimmed = input.trim();
  const scheme = /^(https?):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  const rest = scheme ? trimmed.slice(scheme.length + 3) : trimmed;
  const hostPart = rest.replace(/\/+$/, '');
  if (hostPart === '' || hostPart.includes('/') || /[\s@?#]/.test(hostPart)) {
    throw new UserError(`--registry "${input}" is not a registry host`, {
      hint: 'give host[:port] only, e.g. --registry 127.0.0.1:5000 or --registry ghcr.io',
      exitCode: 2,
    });
  }
  let url: URL;
  try {
    url = new URL(`https://${hostPart}/v2/`);
  } catch {
    throw new UserError(`--registry "${input}" is not a registry host`, {
      hint: 'give host[:port] only, e.g. --registry 127.0.0.1:5000',
      exitCode: 2,
    });
  }
  const loopback = isLoopback(url.hostname);
  if (scheme === 'http' && !loopback) {
    throw new UserError(`--registry "${input}": plain http is allowed for loopback hosts only`, {
      hint: `use https://${hostPart} (certificates are verified)`,
      exitCode: 2,
    });
  }
  if (scheme === 'http' || (!scheme && loopback)) url.protocol = 'http:';
  return url;
}

function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  // undici refuses the Fetch standard's "bad ports" (1, 7, 9, …, 6000) before connecting.
  if (cause?.message === 'bad port') return 'port refused by fetch: on the Fetch standard bad-port list';
  if ((error as { name?: string }).name === 'TimeoutError') return 'timed out';
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Reachable = `GET /v2/` answers 200 (anonymous) or 401 (auth required): both mean a
 * distribution-spec registry is there. Required, since the user asked about it.
 */
export async function checkRegistry(host: string, fetchImpl: Fetch, timeoutMs = 5000): Promise<CheckResult> {
  const url = registryBaseUrl(host);
  const name = `registry ${url.host}`;
  try {
    const response = await fetchImpl(url.href, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 200 || response.status === 401) {
      const auth = response.status === 401 ? ', authentication required' : '';
      return {
        name,
        status: 'ok',
        required: true,
        detail: `reachable at ${url.href} (HTTP ${response.status}${auth})`,
      };
    }
    return {
      name,
      status: 'missing',
      required: true,
      detail: `GET ${url.href} answered HTTP ${response.status}: not an OCI distribution registry endpoint`,
    };
  } catch (error) {
    return {
      name,
      status: 'missing',
      required: true,
      detail: `unreachable at ${url.href} (${reason(error)}); is it running? For the test registry: \`bash scripts/services.sh start\``,
    };
  }
}
