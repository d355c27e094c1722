import { UserError } from '../../../../common/errors';
import type { GatewayResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest } from '../../../gateway/http-request';

/** `http.cors` of REST events, as the Serverless Framework compiles it into an OPTIONS mock. */
export interface RestCorsSettings {
  origins: string[];
  headers: string[];
  allowCredentials: boolean;
  maxAge: number | undefined;
  cacheControl: string | undefined;
}

/** The framework's defaults for `cors: true`. */
export const DEFAULT_CORS_HEADERS = [
  'Content-Type',
  'X-Amz-Date',
  'Authorization',
  'X-Api-Key',
  'X-Amz-Security-Token',
  'X-Amz-User-Agent',
  'X-Amzn-Trace-Id',
];

export function restCorsSettings(value: unknown, where: string): RestCorsSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true)
    return {
      origins: ['*'],
      headers: DEFAULT_CORS_HEADERS,
      allowCredentials: false,
      maxAge: undefined,
      cacheControl: undefined,
    };
  if (typeof value !== 'object' || value === null)
    throw new UserError(`${where} must be true or an object`, { exitCode: 2 });
  const spec = value as Record<string, unknown>;
  const origins = Array.isArray(spec.origins)
    ? spec.origins.map(String)
    : typeof spec.origin === 'string'
      ? [spec.origin]
      : ['*'];
  return {
    origins,
    headers: Array.isArray(spec.headers) ? spec.headers.map(String) : DEFAULT_CORS_HEADERS,
    allowCredentials: spec.allowCredentials === true,
    maxAge: typeof spec.maxAge === 'number' ? spec.maxAge : undefined,
    cacheControl: typeof spec.cacheControl === 'string' ? spec.cacheControl : undefined,
  };
}

/**
 * The origin the response allows: the request's when it is one of the configured origins
 * (wildcards allowed), else the first configured one, as the framework's mock template does.
 */
function allowedOrigin(settings: RestCorsSettings, request: GatewayRequest): string {
  const origin = firstHeader(request, 'origin');
  if (origin && settings.origins.some((allowed) => originMatches(allowed, origin))) {
    return settings.origins.length === 1 && settings.origins[0] === '*' ? '*' : origin;
  }
  return settings.origins[0] ?? '*';
}

/** The OPTIONS mock of a path: 200 with the CORS headers, the function is not invoked. */
export function restPreflight(
  settings: RestCorsSettings,
  methods: string[],
  request: GatewayRequest,
): GatewayResponse {
  const allowMethods = [...new Set(['OPTIONS', ...methods])].sort();
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['access-control-allow-origin', allowedOrigin(settings, request)],
    ['access-control-allow-headers', settings.headers.join(',')],
    ['access-control-allow-methods', allowMethods.join(',')],
  ];
  if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  if (settings.maxAge !== undefined) headers.push(['access-control-max-age', String(settings.maxAge)]);
  if (settings.cacheControl) headers.push(['cache-control', settings.cacheControl]);
  return { status: 200, headers, body: Buffer.alloc(0) };
}

/**
 * Headers the framework adds to a non-proxy (`integration: lambda`) response. A proxy function
 * sends its own CORS headers: API Gateway adds none to its answers.
 */
export function restIntegrationCorsHeaders(
  settings: RestCorsSettings,
  request: GatewayRequest,
): [string, string][] {
  const headers: [string, string][] = [['access-control-allow-origin', allowedOrigin(settings, request)]];
  if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  return headers;
}

/** `*`, an exact origin, or one with a `*` wildcard (`https://*.example.com`). */
export function originMatches(allowed: string, origin: string): boolean {
  if (allowed === '*') return true;
  if (!allowed.includes('*')) return allowed.toLowerCase() === origin.toLowerCase();
  const source = allowed.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
  return new RegExp(`^${source}$`, 'i').test(origin);
}
