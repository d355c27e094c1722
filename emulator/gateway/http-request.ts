import type { IncomingMessage } from 'node:http';

/** An incoming HTTP request, read once, in the forms the provider adapters need. */
export interface GatewayRequest {
  method: string;
  /** Path without the query string, not decoded. */
  path: string;
  rawQuery: string;
  /** Header names as the client sent them, every value kept in order. */
  headers: [name: string, value: string][];
  body: Buffer;
  sourceIp: string;
  protocol: string;
  receivedAt: Date;
}

export function toGatewayRequest(req: IncomingMessage, body: Buffer): GatewayRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: q >= 0 ? url.slice(0, q) : url,
    rawQuery: q >= 0 ? url.slice(q + 1) : '',
    headers,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
    receivedAt: new Date(),
  };
}

/** Query parameters in order, decoded as API Gateway does (`+` is a space). */
export function queryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return [...new URLSearchParams(rawQuery).entries()];
}

/** Whether a body of this content type travels as text rather than base64. */
export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

export function firstHeader(request: GatewayRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return request.headers.find(([key]) => key.toLowerCase() === lower)?.[1];
}
