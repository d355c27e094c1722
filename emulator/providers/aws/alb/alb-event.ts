import { randomBytes } from 'node:crypto';
import { firstHeader, type GatewayRequest, isTextual } from '../../../gateway/http-request';
import { rawQueryPairs } from './alb-rules';

/** The Application Load Balancer's Lambda target contract: the event and the response rules. */

export interface AlbTarget {
  targetGroupArn: string;
  multiValue: boolean;
}

/**
 * The event: lowercased header names (plus the X-Forwarded-* and trace headers the load
 * balancer adds), query values as sent (not decoded), the last value of a repeated name unless
 * the target group has multi-value headers, an empty-string body when there is none, and
 * base64 for a body that is not text.
 */
export function albEvent(request: GatewayRequest, target: AlbTarget): Record<string, unknown> {
  const headers: [string, string][] = [
    ...request.headers.map(([name, value]): [string, string] => [name.toLowerCase(), value]),
    [
      'x-amzn-trace-id',
      `Root=1-${Math.floor(request.receivedAt.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
    ],
    ['x-forwarded-for', request.sourceIp],
    ['x-forwarded-port', (firstHeader(request, 'host') ?? '').split(':')[1] ?? '80'],
    ['x-forwarded-proto', 'http'],
  ];
  const query = rawQueryPairs(request.rawQuery);
  const binary = request.body.length > 0 && !isTextual(firstHeader(request, 'content-type'));
  const body = request.body.toString(binary ? 'base64' : 'utf8');
  const common = {
    requestContext: { elb: { targetGroupArn: target.targetGroupArn } },
    httpMethod: request.method,
    path: request.path,
  };
  if (target.multiValue) {
    return {
      ...common,
      multiValueQueryStringParameters: grouped(query),
      multiValueHeaders: grouped(headers),
      body,
      isBase64Encoded: binary,
    };
  }
  return {
    ...common,
    queryStringParameters: Object.fromEntries(query),
    headers: Object.fromEntries(headers),
    body,
    isBase64Encoded: binary,
  };
}

function grouped(pairs: [string, string][]): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const [name, value] of pairs) map[name] = [...(map[name] ?? []), value];
  return map;
}

export interface AlbResponse {
  status: number;
  /** The reason phrase, from `statusDescription` (`200 OK` → `OK`). */
  statusText?: string;
  headers: [string, string][];
  body: Buffer;
}

const BAD_GATEWAY: AlbResponse = {
  status: 502,
  statusText: 'Bad Gateway',
  headers: [['content-type', 'text/html']],
  body: Buffer.from(
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
  ),
};

/** The load balancer's own 502, for a failed function or a response it cannot read. */
export function albBadGateway(): AlbResponse {
  return { ...BAD_GATEWAY, headers: [...BAD_GATEWAY.headers] };
}

/** A Lambda target's response may be at most 1 MB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Reads the function's answer: `statusCode` is required; `statusDescription`, `headers` (or
 * `multiValueHeaders` when the target group has them), `body` and `isBase64Encoded` are optional.
 * Anything else — an error, a non-object, a bad status, a body that is not a string, more than
 * 1 MB — is the load balancer's 502.
 */
export function albResponse(payload: Buffer, failed: boolean, multiValue: boolean): AlbResponse {
  if (failed || payload.length > MAX_RESPONSE_BYTES) return albBadGateway();
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return albBadGateway();
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return albBadGateway();
  const shape = result as Record<string, unknown>;
  const status = typeof shape.statusCode === 'string' ? Number(shape.statusCode) : shape.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    return albBadGateway();
  if (shape.body !== undefined && shape.body !== null && typeof shape.body !== 'string')
    return albBadGateway();
  const headers: [string, string][] = [];
  if (multiValue) {
    const map = shape.multiValueHeaders;
    if (typeof map === 'object' && map !== null)
      for (const [name, values] of Object.entries(map)) {
        if (!Array.isArray(values)) return albBadGateway();
        for (const value of values) headers.push([name.toLowerCase(), String(value)]);
      }
  } else if (typeof shape.headers === 'object' && shape.headers !== null) {
    for (const [name, value] of Object.entries(shape.headers))
      headers.push([name.toLowerCase(), String(value)]);
  }
  const description = typeof shape.statusDescription === 'string' ? shape.statusDescription : undefined;
  const statusText = description?.replace(/^\d{3}\s*/, '') || undefined;
  const text = typeof shape.body === 'string' ? shape.body : '';
  return {
    status,
    ...(statusText ? { statusText } : {}),
    headers,
    body: Buffer.from(text, shape.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}
