import { UserError } from '../../../../common/errors';
import type { GatewayResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest } from '../../../gateway/http-request';
import { DEFAULT_CORS_HEADERS } from './rest-cors';

/** `provider.httpApi.cors`: API Gateway's CORS configuration of an HTTP API. */
export interface HttpApiCorsSettings {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  allowCredentials: boolean;
  exposedResponseHeaders: string[];
  maxAge: number | undefined;
}

/**
 * Reads `provider.httpApi.cors`; `routeMethods` are the methods of the API's routes, which the
 * framework allows when `allowedMethods` is not written.
 */
export function httpApiCorsSettings(
  value: unknown,
  routeMethods: string[] = [],
): HttpApiCorsSettings | undefined {
  if (value === undefined || value === false) return undefined;
  const methods = routeMethods.includes('ANY') ? ['*'] : [...new Set(['OPTIONS', ...routeMethods])];
  if (value === true)
    return {
      allowedOrigins: ['*'],
      allowedHeaders: DEFAULT_CORS_HEADERS,
      allowedMethods: methods,
      allowCredentials: false,
      exposedResponseHeaders: [],
      maxAge: undefined,
    };
  if (typeof value !== 'object' || value === null)
    throw new UserError('provider.httpApi.cors must be true or an object', { exitCode: 2 });
  const spec = value as Record<string, unknown>;
  const list = (key: string, fallback: string[]) =>
    Array.isArray(spec[key]) ? (spec[key] as unknown[]).map(String) : fallback;
  const settings: HttpApiCorsSettings = {
    allowedOrigins: list('allowedOrigins', ['*']),
    allowedHeaders: list('allowedHeaders', DEFAULT_CORS_HEADERS),
    allowedMethods: list('allowedMethods', methods),
    allowCredentials: spec.allowCredentials === true,
    exposedResponseHeaders: list('exposedResponseHeaders', []),
    maxAge: typeof spec.maxAge === 'number' ? spec.maxAge : undefined,
  };
  if (settings.allowCredentials && settings.allowedOrigins.includes('*'))
    throw new UserError('provider.httpApi.cors: allowCredentials cannot be used with the origin "*"', {
      hint: 'List the origins allowed to send credentials (API Gateway refuses this combination).',
      exitCode: 2,
    });
  return settings;
}

/** A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(request: GatewayRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    firstHeader(request, 'origin') !== undefined &&
    firstHeader(request, 'access-control-request-method') !== undefined
  );
}

/** API Gateway answers the preflight itself (204), with the headers only for an allowed origin. */
export function httpApiPreflight(settings: HttpApiCorsSettings, request: GatewayRequest): GatewayResponse {
  const origin = allowed(settings, request);
  const headers: [string, string][] = [];
  if (origin !== undefined) {
    headers.push(['access-control-allow-origin', origin]);
    if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    headers.push(['access-control-allow-methods', settings.allowedMethods.join(',')]);
    if (settings.allowedHeaders.length)
      headers.push(['access-control-allow-headers', settings.allowedHeaders.join(',')]);
    if (settings.exposedResponseHeaders.length)
      headers.push(['access-control-expose-headers', settings.exposedResponseHeaders.join(',')]);
    if (settings.maxAge !== undefined) headers.push(['access-control-max-age', String(settings.maxAge)]);
  }
  return { status: 204, headers, body: Buffer.alloc(0) };
}

/**
 * Every other response: the integration's own CORS headers are dropped (API Gateway ignores
 * them) and the configured ones added for an allowed origin.
 */
export function withHttpApiCors(
  settings: HttpApiCorsSettings,
  request: GatewayRequest,
  response: GatewayResponse,
): GatewayResponse {
  const headers = response.headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
  const origin = allowed(settings, request);
  if (origin !== undefined) {
    headers.push(['access-control-allow-origin', origin]);
    if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (settings.exposedResponseHeaders.length)
      headers.push(['access-control-expose-headers', settings.exposedResponseHeaders.join(',')]);
  }
  return { ...response, headers };
}

function allowed(settings: HttpApiCorsSettings, request: GatewayRequest): string | undefined {
  const origin = firstHeader(request, 'origin');
  if (!origin) return undefined;
  if (!settings.allowedOrigins.some((candidate) => originMatches(candidate, origin))) return undefined;
  return settings.allowedOrigins.length === 1 && settings.allowedOrigins[0] === '*' ? '*' : origin;
}

/** `*`, an exact origin, or one with a `*` wildcard (`https://*.example.com`). */
export function originMatches(allowed: string, origin: string): boolean {
  if (allowed === '*') return true;
  if (!allowed.includes('*')) return allowed.toLowerCase() === origin.toLowerCase();
  const source = allowed.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`, 'i').test(origin);
}
