import type { GatewayResponse } from '../../gateway/gateway-response';
import { firstHeader, type GatewayRequest } from '../../gateway/http-request';

/** A typed value as the host and the worker exchange it (the RpcTypedData of the gRPC protocol). */
export type TypedData = {
  string?: string;
  json?: string;
  bytes?: Buffer;
  int?: number;
  double?: number;
  http?: HttpData;
};

export type HttpData = {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: TypedData;
  statusCode?: string;
  cookies?: HttpCookie[];
};

type Nullable<T> = { value?: T } | undefined | null;

type HttpCookie = {
  name?: string;
  value?: string;
  domain?: Nullable<string>;
  path?: Nullable<string>;
  expires?: Nullable<{ seconds?: number | string; nanos?: number }>;
  secure?: Nullable<boolean>;
  httpOnly?: Nullable<boolean>;
  sameSite?: string;
  maxAge?: Nullable<number>;
};

/** The trigger input of an HTTP function: what the host hands the worker for one request. */
export function httpTriggerData(request: GatewayRequest, params: Record<string, string>): TypedData {
  const host = firstHeader(request, 'host') ?? '127.0.0.1';
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(request.rawQuery)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  return {
    http: {
      method: request.method,
      url: `http://${host}${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`,
      headers,
      query,
      params,
      body: { bytes: request.body },
    },
  };
}

/**
 * The HTTP response of an invocation: from the http output binding (usually `$return`). No
 * response at all is a 204, as the host answers when the function returns nothing (UNCONFIRMED).
 */
export function httpResponseOf(http: HttpData | undefined): GatewayResponse {
  if (!http) return { status: 204, headers: [], body: Buffer.alloc(0) };
  const headers: [string, string][] = Object.entries(http.headers ?? {}).map(([k, v]) => [k, String(v)]);
  for (const cookie of http.cookies ?? []) headers.push(['set-cookie', setCookie(cookie)]);
  return { status: Number(http.statusCode ?? 200) || 200, headers, body: bodyBytes(http.body) };
}

export function bodyBytes(data: TypedData | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.string !== undefined) return Buffer.from(data.string);
  if (data.json !== undefined) return Buffer.from(data.json);
  if (data.int !== undefined) return Buffer.from(String(data.int));
  if (data.double !== undefined) return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

function setCookie(cookie: HttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== undefined) parts.push(`expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`max-age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('secure');
  if (cookie.httpOnly?.value) parts.push('httponly');
  const sameSite = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' }[cookie.sameSite ?? ''];
  if (sameSite) parts.push(`samesite=${sameSite}`);
  return parts.join('; ');
}
