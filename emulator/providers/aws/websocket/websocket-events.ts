import { randomBytes } from 'node:crypto';
import type { GatewayRequest } from '../../../gateway/http-request';
import { queryPairs } from '../../../gateway/http-request';
import { apiGatewayTime } from '../apigw/rest-event';

/** The events API Gateway sends a websocket API's functions: CONNECT, MESSAGE, DISCONNECT. */

/** What a connection keeps from its handshake for the events that follow. */
export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent: string;
  /** The $connect authorizer's principal and context, sent with every later event. */
  authorizer?: Record<string, unknown>;
}

export interface WebSocketApiFacts {
  apiId: string;
  stage: string;
  /** `host:port` of the websocket endpoint: `http://${domainName}/${stage}` reaches @connections. */
  domainName: string;
}

/** An id in API Gateway's form: 16 characters, ending in `=`. */
export function newConnectionId(): string {
  return `${randomBytes(12).toString('base64').replace(/[+/]/g, 'A').slice(0, 15)}=`;
}

function requestContext(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  at: Date,
): Record<string, unknown> {
  const requestId = newConnectionId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: apiGatewayTime(at),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: at.getTime(),
    identity: { userAgent: connection.userAgent, sourceIp: connection.sourceIp },
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
  };
}

/** `headers` (last value wins) and `multiValueHeaders` (every value), as REST sends them. */
export function headerMaps(request: GatewayRequest): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of request.headers) {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

export function queryMaps(request: GatewayRequest): Record<string, unknown> {
  const query: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of queryPairs(request.rawQuery)) {
    query[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return Object.keys(query).length
    ? { queryStringParameters: query, multiValueQueryStringParameters: multi }
    : {};
}

export function connectEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  request: GatewayRequest,
): Record<string, unknown> {
  return {
    ...headerMaps(request),
    ...queryMaps(request),
    requestContext: requestContext(api, connection, '$connect', 'CONNECT', request.receivedAt),
    isBase64Encoded: false,
  };
}

export function messageEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  message: { binary: boolean; data: Buffer },
): Record<string, unknown> {
  const context = requestContext(api, connection, routeKey, 'MESSAGE', new Date());
  return {
    requestContext: { ...context, messageId: newConnectionId() },
    body: message.data.toString(message.binary ? 'base64' : 'utf8'),
    isBase64Encoded: message.binary,
  };
}

export function disconnectEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  request: GatewayRequest,
  close: { code: number; reason: string },
): Record<string, unknown> {
  const context = requestContext(api, connection, '$disconnect', 'DISCONNECT', new Date());
  return {
    ...headerMaps(request),
    requestContext: { ...context, disconnectStatusCode: close.code, disconnectReason: close.reason },
    isBase64Encoded: false,
  };
}

/**
 * The route a message takes: the value at `$request.body.<path>` of a JSON body when a route
 * has that key, else `$default` (undefined when there is none).
 */
export function selectRoute(
  expression: string,
  message: { binary: boolean; data: Buffer },
  routeKeys: ReadonlySet<string>,
): string | undefined {
  const fallback = routeKeys.has('$default') ? '$default' : undefined;
  const match = /^\$request\.body\.(.+)$/.exec(expression.trim());
  if (!match || message.binary) return fallback;
  let value: unknown;
  try {
    value = JSON.parse(message.data.toString('utf8'));
  } catch {
    return fallback;
  }
  for (const key of (match[1] ?? '').split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  const key = typeof value === 'string' ? value : undefined;
  return key !== undefined && !key.startsWith('$') && routeKeys.has(key) ? key : fallback;
}
