import { randomUUID } from 'node:crypto';
import { type GatewayResponse, jsonResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest, queryPairs } from '../../../gateway/http-request';
import { domainPrefixOf } from './domain-prefix';

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
  /** The `operationId` of the `http` event, as `requestContext.operationName`. */
  operationName?: string;
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
      domainPrefix: domainPrefixOf(firstHeader(request, 'host'), route.apiId),
      extendedRequestId: randomUUID(),
      httpMethod: request.method,
      // Every identity field API Gateway sends; those of IAM, Cognito and API keys are null
      // when the method does not use them.
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent: firstHeader(request, 'user-agent') ?? null,
        user: null,
        apiKey: null,
        apiKeyId: null,
      },
      ...(route.operationName ? { operationName: route.operationName } : {}),
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

/**
 * Maps the function's result per the REST proxy rules; anything malformed is a 502.
 * `binaryResponse`: whether the request accepts a binary media type of the API (see
 * `acceptsBinary`); only then is an `isBase64Encoded` body decoded, otherwise the base64 text is
 * sent as it is, as API Gateway does.
 */
export function restResponse(payload: Buffer, failed: boolean, binaryResponse = false): GatewayResponse {
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

  // Both maps merge into one list per name; a pair present in both appears once.
  const headers = new Map<string, string[]>();
  if (isRecord(shape.multiValueHeaders)) {
    for (const [name, values] of Object.entries(shape.multiValueHeaders)) {
      if (!Array.isArray(values)) return jsonResponse(502, INTERNAL_ERROR);
      const list = headers.get(name.toLowerCase()) ?? [];
      for (const value of values.map(String)) if (!list.includes(value)) list.push(value);
      headers.set(name.toLowerCase(), list);
    }
  }
  if (isRecord(shape.headers)) {
    for (const [name, value] of Object.entries(shape.headers)) {
      const list = headers.get(name.toLowerCase()) ?? [];
      if (!list.includes(String(value))) list.push(String(value));
      headers.set(name.toLowerCase(), list);
    }
  }
  const body = typeof shape.body === 'string' ? shape.body : '';
  const decode = shape.isBase64Encoded === true && binaryResponse;
  return {
    status,
    headers: [...headers].flatMap(([name, values]) => values.map((value): [string, string] => [name, value])),
    body: Buffer.from(body, decode ? 'base64' : 'utf8'),
  };
}

/**
 * Whether API Gateway would send a binary response to this request: its Accept (any listed
 * type) or Content-Type is one of the API's binaryMediaTypes.
 */
export function acceptsBinary(request: GatewayRequest, binaryMediaTypes: string[]): boolean {
  if (binaryMediaTypes.length === 0) return false;
  const accepted = (firstHeader(request, 'accept') ?? '').split(',').map((type) => type.trim());
  return [...accepted, firstHeader(request, 'content-type')].some(
    (type) => type !== undefined && type !== '' && isBinaryMediaType(type, binaryMediaTypes),
  );
}

export function restThrottled(): GatewayResponse {
  return jsonResponse(500, INTERNAL_ERROR);
}

export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
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
