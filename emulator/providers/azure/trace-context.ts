import { randomBytes } from 'node:crypto';

/** W3C Trace Context `traceparent`: version, trace id, parent (span) id, flags. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/**
 * The W3C `traceparent` of one invocation, as the host's activity for it reads: a new trace, or —
 * for an HTTP request that sent a valid `traceparent` — the caller's trace id and sampled flag
 * under a span of the host's own. The host hands it to the worker as the invocation's
 * `traceContext.traceParent` (Functions worker protocol, `RpcTraceContext`; @azure/functions
 * `InvocationContext.traceContext`), and its HTTP calls to a custom handler carry it in the
 * `traceparent` header (.NET's HttpClient propagates W3C trace context: ".NET distributed tracing").
 */
export function invocationTraceParent(requestHeaders: [string, string][] = []): string {
  const sent = requestHeaders.find(([name]) => name.toLowerCase() === 'traceparent')?.[1];
  const caller = TRACEPARENT.exec(sent?.trim().toLowerCase() ?? '');
  const valid =
    caller && caller[1] !== 'ff' && !/^0+$/.test(caller[2] ?? '0') && !/^0+$/.test(caller[3] ?? '0');
  const traceId = valid ? (caller[2] ?? '') : nonZeroHex(16);
  const flags = valid ? (Number.parseInt(caller[4] ?? '0', 16) & 1 ? '01' : '00') : '01';
  return `00-${traceId}-${nonZeroHex(8)}-${flags}`;
}
