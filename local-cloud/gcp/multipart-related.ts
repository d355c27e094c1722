import type { IncomingHttpHeaders } from 'node:http';

export interface RelatedPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The parts of a `multipart/related` body (RFC 2387), as Cloud Storage's multipart upload takes
 * it: metadata JSON first, then the object's bytes. Bytes are kept as sent (binary safe);
 * undefined when the content type or the framing is not that.
 */
export function parseMultipartRelated(headers: IncomingHttpHeaders, body: Buffer): RelatedPart[] | undefined {
  const type = headers['content-type'] ?? '';
  if (!/^multipart\/related\b/i.test(type)) return undefined;
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  const token = boundary?.[1] ?? boundary?.[2];
  if (!token) return undefined;
  const delimiter = Buffer.from(`--${token}`);
  const parts: RelatedPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    let start = at + delimiter.length;
    // `--boundary--` closes the body.
    if (body.subarray(start, start + 2).toString('latin1') === '--') return parts;
    if (body.subarray(start, start + 2).equals(CRLF)) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return undefined;
    // The CRLF before a delimiter belongs to the delimiter, not to the part.
    const end = body.subarray(next - 2, next).equals(CRLF) ? next - 2 : next;
    const part = body.subarray(start, end);
    // A part with no headers starts with its blank line.
    const split = part.subarray(0, 2).equals(CRLF) ? -2 : part.indexOf(HEADER_END);
    const head = split < 0 ? '' : part.subarray(0, split).toString('latin1');
    const partHeaders: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) partHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (split === -1) return undefined;
    parts.push({ headers: partHeaders, body: part.subarray(split + HEADER_END.length) });
    at = next;
  }
}
