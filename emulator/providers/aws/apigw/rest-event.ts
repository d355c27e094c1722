import { randomUUID } from 'node:crypto';
import { type GatewayResponse, jsonResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest, queryPairs } from '../../../gateway/http-request';

/** API Gateway REST API (payload format 1.0) proxy integration: the event and the response rules. */

export interface RestRouteContext {
  stage: string;
  /** The route's template, e.g. `/items/{id}`. */
  resource: string;
  pathParameters: Record<string, string>;
  /** Path after the stage prefix. */
  path: string;
  binaryMediaTypes: string[];
  accountId: string;
  apiId: string;
}

export function restEvent(request: GatewayRequest, route: RestRouteContext): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    append(multiValueHeaders, name, value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(request.rawQuery)) {
    query[name] = value;
    append(multiQuery, name, value);
  }
  const contentType = firstHeader(request, 'content-type');
  const binary = request.body.length > 0 && isBinaryMediaType(contentType, route.binaryMediaTypes);
  const hasParams = Object.keys(route.pathParameters).length > 0;
  return {
    resource: route.resource,
    path: route.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: hasParams ? route.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: route.accountId,
      apiId: route.apiId,
      domainName: firstHeader(request, 'host') ?? 'localhost',
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      identity: {
        sourceIp: request.sourceIp,
        userAgent: firstHeader(request, 'user-agent') ?? null,
        accessKey: null,
        accountId: null,
        caller: null,
        user: null,
        userArn: null,
      },
      path: `/${route.stage}${route.path}`,
      protocol: request.protocol,
      requestId: randomUUID(),
      requestTime: apiGatewayTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: 'faasport',
      resourcePath: route.resource,
      stage: route.stage,
    },
    body: request.body.length === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}

const INTERNAL_ERROR = { message: 'Internal server error' };

/** Maps the function's result per the REST proxy rules; anything malformed is a 502. */
export function restResponse(payload: Buffer, failed: boolean): GatewayResponse {
  if (failed) return jsonResponse(502, INTERNAL_ERROR);
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return jsonResponse(502, INTERNAL_ERROR);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result))
    return jsonResponse(502, INTERNAL_ERROR);
  const shape = result as Record<string, unknown>;
  const allowed = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);
  if (Object.keys(shape).some((key) => !allowed.has(key))) return jsonResponse(502, INTERNAL_ERROR);
  const status = Number(shape.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return jsonResponse(502, INTERNAL_ERROR);
  if (shape.body !== undefined && shape.body !== null && typeof shape.body !== 'string')
    return jsonResponse(502, INTERNAL_ERROR);

  const headers = new Map<string, string[]>();
  if (isRecord(shape.headers)) {
    for (const [name, value] of Object.entries(shape.headers))
      headers.set(name.toLowerCase(), [String(value)]);
  }
  if (isRecord(shape.multiValueHeaders)) {
    for (const [name, values] of Object.entries(shape.multiValueHeaders)) {
      if (!Array.isArray(values)) return jsonResponse(502, INTERNAL_ERROR);
      headers.set(name.toLowerCase(), values.map(String)); // multiValueHeaders wins
    }
  }
  const body = typeof shape.body === 'string' ? shape.body : '';
  return {
    status,
    headers: [...headers].flatMap(([name, values]) => values.map((value): [string, string] => [name, value])),
    body: Buffer.from(body, shape.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}

export function restThrottled(): GatewayResponse {
  return jsonResponse(500, INTERNAL_ERROR);
}

function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    if (pattern === '*/*') return true;
    if (pattern.endsWith('/*')) return type.startsWith(pattern.slice(0, -1));
    return pattern.toLowerCase() === type;
  });
}

function append(map: Record<string, string[]>, key: string, value: string): void {
  const values = map[key];
  if (values) values.push(value);
  else map[key] = [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function apiGatewayTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
