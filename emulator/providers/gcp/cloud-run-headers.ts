import { randomBytes } from 'node:crypto';

/** W3C Trace Context `traceparent`: version, trace id, parent (span) id, flags. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
/** Cloud Trace's legacy header: `TRACE_ID/SPAN_ID;o=OPTIONS`, the span id in decimal. */
const CLOUD_TRACE_CONTEXT = /^([0-9a-fA-F]{32})(?:\/(\d+))?(?:;o=(\d+))?$/;

/** Headers Cloud Run sets itself: what a client sent under these names does not reach the function. */
const REPLACED = new Set(['traceparent', 'x-cloud-trace-context', 'x-forwarded-proto', 'forwarded']);

interface Trace {
  traceId: string;
  sampled: boolean;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** The trace the caller started, if it sent a valid traceparent (or, failing that, X-Cloud-Trace-Context). */
function callerTrace(headers: [string, string][]): Trace | undefined {
  const value = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1]?.trim();
  const w3c = TRACEPARENT.exec(value('traceparent')?.toLowerCase() ?? '');
  if (w3c && w3c[1] !== 'ff' && !/^0+$/.test(w3c[2] ?? '0') && !/^0+$/.test(w3c[3] ?? '0')) {
    return { traceId: w3c[2] ?? '', sampled: (Number.parseInt(w3c[4] ?? '0', 16) & 1) === 1 };
  }
  const legacy = CLOUD_TRACE_CONTEXT.exec(value('x-cloud-trace-context') ?? '');
  if (legacy && !/^0+$/.test(legacy[1] ?? '0')) {
    return {
      traceId: (legacy[1] ?? '').toLowerCase(),
      sampled: legacy[3] === undefined || legacy[3] === '1',
    };
  }
  return undefined;
}

/** `for="…"` of RFC 7239: IPv6 addresses in brackets, always quoted. */
function forwardedFor(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : `"${ip}"`;
}

/**
 * The request headers an HTTP function sees on Cloud Run (functions gen2), from the client's
 * headers and address. Cloud Run starts a trace for each request — or joins the caller's when it
 * sent `traceparent` (or `X-Cloud-Trace-Context`), keeping its trace id under a span of its own —
 * and passes it on twice: as W3C `traceparent` and as the legacy `X-Cloud-Trace-Context`, with the
 * same ids (Cloud Trace docs, "Trace context": Google Cloud services send both headers;
 * "Request Headers in Cloud Functions": `X-Cloud-Trace-Context` as
 * `105445aa7843bc8bf206b12000100000/1;o=1`, `X-Forwarded-For` the client first, then the proxies,
 * `X-Forwarded-Proto` `https` because Google's front end terminates TLS). `Forwarded` (RFC 7239,
 * `for="<ip>";proto=https`) is the standard form of the same facts that Cloud Run requests carry.
 */
export function cloudRunRequestHeaders(headers: [string, string][], sourceIp: string): [string, string][] {
  const caller = callerTrace(headers);
  const traceId = caller?.traceId ?? nonZeroHex(16);
  const sampled = caller?.sampled ?? true;
  const spanId = nonZeroHex(8);
  const kept = headers.filter(([name]) => !REPLACED.has(name.toLowerCase()));
  const forwardedBefore = kept
    .filter(([name]) => name.toLowerCase() === 'x-forwarded-for')
    .map(([, value]) => value.trim())
    .filter(Boolean);
  return [
    ...kept.filter(([name]) => name.toLowerCase() !== 'x-forwarded-for'),
    ['x-forwarded-for', [...forwardedBefore, sourceIp].join(', ')],
    ['x-forwarded-proto', 'https'],
    ['forwarded', `for=${forwardedFor(sourceIp)};proto=https`],
    ['traceparent', `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`],
    ['x-cloud-trace-context', `${traceId}/${BigInt(`0x${spanId}`).toString(10)};o=${sampled ? 1 : 0}`],
  ];
}
