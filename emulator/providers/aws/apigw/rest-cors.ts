import { UserError } from '../../../../common/errors';
import type { GatewayResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest } from '../../../gateway/http-request';

/** `http.cors` of REST events, as the Serverless Framework compiles it into an OPTIONS mock. */
export interface RestCorsSettings {
  /** `origin` (split at commas) or `origins`. */
  origins: string[];
  /** A list was written: the preflight echoes a request origin that matches one of it. */
  echoMatching: boolean;
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
      echoMatching: false,
      headers: DEFAULT_CORS_HEADERS,
      allowCredentials: false,
      maxAge: undefined,
      cacheControl: undefined,
    };
  if (typeof value !== 'object' || value === null)
    throw new UserError(`${where} must be true or an object`, { exitCode: 2 });
  const spec = value as Record<string, unknown>;
  const written = Array.isArray(spec.origins)
    ? spec.origins.map(String)
    : typeof spec.origin === 'string'
      ? spec.origin.split(',').map((origin) => origin.trim())
      : undefined;
  const origins = written?.length ? written : ['*'];
  return {
    origins,
    echoMatching: Array.isArray(spec.origins) || (written?.length ?? 0) > 1,
    headers: Array.isArray(spec.headers) ? spec.headers.map(String) : DEFAULT_CORS_HEADERS,
    allowCredentials: spec.allowCredentials === true,
    maxAge: typeof spec.maxAge === 'number' ? spec.maxAge : undefined,
    cacheControl: typeof spec.cacheControl === 'string' ? spec.cacheControl : undefined,
  };
}

/**
 * The preflight's allow-origin, as the framework's mock answers it: the first configured origin,
 * or the request's own when a list was written and the origin matches one of it (`*` stands for
 * one or more characters).
 */
function preflightOrigin(settings: RestCorsSettings, request: GatewayRequest): string {
  const origin = firstHeader(request, 'origin');
  if (settings.echoMatching && origin && settings.origins.some((allowed) => listedOrigin(allowed, origin)))
    return origin;
  return settings.origins[0] ?? '*';
}

function listedOrigin(allowed: string, origin: string): boolean {
  const source = allowed.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.+');
  return new RegExp(`^(?:${source})$`).test(origin);
}

/** The OPTIONS mock of a path: 200 with the CORS headers, the function is not invoked. */
export function restPreflight(
  settings: RestCorsSettings,
  methods: string[],
  request: GatewayRequest,
): GatewayResponse {
  // OPTIONS first, then the path's methods in the order its events declare them.
  const allowMethods = [...new Set(['OPTIONS', ...methods])];
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['access-control-allow-origin', preflightOrigin(settings, request)],
    ['access-control-allow-headers', settings.headers.join(',')],
    ['access-control-allow-methods', allowMethods.join(',')],
  ];
  if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  if (settings.maxAge !== undefined) headers.push(['access-control-max-age', String(settings.maxAge)]);
  if (settings.cacheControl) headers.push(['cache-control', settings.cacheControl]);
  return { status: 200, headers, body: Buffer.alloc(0) };
}

/**
 * Headers the framework maps onto a non-proxy (`integration: lambda`) response: a static
 * allow-origin, the configured origins joined by commas, whatever the request's origin. A proxy
 * function sends its own CORS headers: API Gateway adds none to its answers.
 */
export function restIntegrationCorsHeaders(settings: RestCorsSettings): [string, string][] {
  const headers: [string, string][] = [['access-control-allow-origin', settings.origins.join(',')]];
  if (settings.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
  return headers;
}
