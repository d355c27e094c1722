/**
 * Independent oracles for GCP shapes, written from Google's documents rather than from the code
 * under test.
 */

/** A protobuf varint: seven bits a byte, least significant first, the high bit set on all but the last. */
function varint(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return bytes;
}

/**
 * A Cloud Storage object's JSON API etag: base64 of field 1 (generation) and field 2
 * (metageneration) as protobuf varints — e.g. `CI/P86yL4/MCEAE=` for generation 1635079916677007,
 * metageneration 1, as found in a real `storage#object` notification.
 */
export function expectedGcsEtag(generation: string, metageneration: string): string {
  return Buffer.from([0x08, ...varint(BigInt(generation)), 0x10, ...varint(BigInt(metageneration))]).toString(
    'base64',
  );
}

/** W3C traceparent as Cloud Run sends it: version 00, 32-hex trace id, 16-hex span id, flags. */
export const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS` (span id in decimal). */
export const CLOUD_TRACE_CONTEXT = /^([0-9a-f]{32})\/(\d+);o=([01])$/;

/** The legacy header that goes with a traceparent: same trace id, the span id in decimal, o = sampled. */
export function cloudTraceContextOf(traceparent: string): string {
  const [, traceId, spanId, flags] = TRACEPARENT.exec(traceparent) ?? [];
  return `${traceId}/${BigInt(`0x${spanId}`).toString(10)};o=${Number.parseInt(flags ?? '0', 16) & 1}`;
}
