import { randomUUID } from 'node:crypto';
import { type GatewayResponse, jsonResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest, isTextual, queryPairs } from '../../../gateway/http-request';
import { domainPrefixOf } from './domain-prefix';
import { apiGatewayTime } from './rest-event';

/** HTTP API (payload format 2.0) and function URLs: the event and the response rules. */

export interface HttpApiRouteContext {
  /** `GET /items/{id}`, or `$default` for function URLs and catch-all routes. */
  routeKey: string;
  pathParameters: Record<string, string>;
  accountId: string;
  apiId: string;
  /**
   * A function URL: `<url-id>.lambda-url.<region>.on.aws` as domain, the URL id as domainPrefix
   * and apiId, and `pathParameters` / `stageVariables` present and null, as Lambda sends them.
   */
  functionUrl?: { urlId: string; region: string };
}

export function httpApiEvent(request: GatewayRequest, route: HttpApiRouteContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of queryPairs(request.rawQuery)) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const binary = request.body.length > 0 && !isTextual(firstHeader(request, 'content-type'));
  const host = firstHeader(request, 'host') ?? 'localhost';
  const url = route.functionUrl;
  const domainName = url ? `${url.urlId}.lambda-url.${url.region}.on.aws` : host;
  const domainPrefix = url ? url.urlId : domainPrefixOf(host, route.apiId);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQuery,
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      // A function URL without IAM auth has no caller account.
      accountId: url ? 'anonymous' : route.accountId,
      apiId: url ? url.urlId : route.apiId,
      domainName,
      domainPrefix,
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: firstHeader(request, 'user-agent') ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(request.body.length ? { body: request.body.toString(binary ? 'base64' : 'utf8') } : {}),
    ...(url
      ? { pathParameters: null, stageVariables: null }
      : Object.keys(route.pathParameters).length
        ? { pathParameters: route.pathParameters }
        : {}),
    isBase64Encoded: binary,
  };
  return event;
}

/**
 * The 2.0 response rules: a result with `statusCode` is the full form (cookies become one
 * set-cookie each); a string result is the body as it is; any other valid JSON is the body of a
 * 200 `application/json` response.
 */
export function httpApiResponse(payload: Buffer, failed: boolean): GatewayResponse {
  if (failed) return jsonResponse(500, { message: 'Internal Server Error' });
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return jsonResponse(500, { message: 'Internal Server Error' });
  }
  if (typeof result === 'string')
    return {
      status: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(result, 'utf8'),
    };
  if (typeof result !== 'object' || result === null || Array.isArray(result) || !('statusCode' in result)) {
    return { status: 200, headers: [['content-type', 'application/json']], body: payload };
  }
  const shape = result as Record<string, unknown>;
  const status = Number(shape.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599)
    return jsonResponse(500, { message: 'Internal Server Error' });
  const headers: [string, string][] = [];
  if (typeof shape.headers === 'object' && shape.headers !== null) {
    for (const [name, value] of Object.entries(shape.headers as Record<string, unknown>))
      headers.push([name.toLowerCase(), String(value)]);
  }
  if (Array.isArray(shape.cookies))
    for (const cookie of shape.cookies) headers.push(['set-cookie', String(cookie)]);
  const bodyValue = shape.body;
  const text =
    typeof bodyValue === 'string'
      ? bodyValue
      : bodyValue === undefined || bodyValue === null
        ? ''
        : JSON.stringify(bodyValue);
  if (!headers.some(([name]) => name === 'content-type') && text)
    headers.push(['content-type', 'application/json']);
  return { status, headers, body: Buffer.from(text, shape.isBase64Encoded === true ? 'base64' : 'utf8') };
}
