import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type CloudAuth, sameSecret } from './cloud-auth';

/** A request as it arrived, for checking its AWS Signature Version 4 `Authorization` header. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent (still percent-encoded). */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Why a signature is refused: each cloud API words these its own way. */
export type SigV4Problem = 'missing' | 'unknown-key' | 'bad-signature' | 'expired';

/** AWS refuses a request signed more than 15 minutes away from its own clock. */
const MAX_SKEW_MS = 15 * 60_000;

const HEADER =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/**
 * Checks a SigV4 header signature against the plane's key pair, computing it as the AWS SDKs do
 * (canonical request, string to sign, derived key). `s3` selects S3's canonical path (encoded
 * once, as sent); other services encode the sent path once more. Undefined when it is valid.
 */
export function sigV4Problem(
  request: SignedRequest,
  auth: CloudAuth,
  s3: boolean,
  now = Date.now(),
): SigV4Problem | undefined {
  const authorization = request.headers.authorization;
  if (authorization === undefined) return 'missing';
  const parsed = HEADER.exec(authorization);
  if (!parsed) return 'bad-signature';
  const [, credential = '', signedHeaderList = '', signature = ''] = parsed;
  const [accessKeyId, date, region, service, terminal] = credential.split('/');
  if (!sameSecret(accessKeyId ?? '', auth.accessKeyId)) return 'unknown-key';
  const amzDate = header(request.headers, 'x-amz-date');
  if (!amzDate || terminal !== 'aws4_request' || !date || !amzDate.startsWith(date)) return 'bad-signature';
  const signedAt = Date.parse(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Number.isNaN(signedAt)) return 'bad-signature';
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return 'expired';

  // A claimed body hash must be the body's (UNSIGNED-PAYLOAD and streaming forms claim none).
  const claimed = header(request.headers, 'x-amz-content-sha256');
  if (claimed && /^[0-9a-f]{64}$/.test(claimed) && claimed !== sha256(request.body)) return 'bad-signature';
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return 'bad-signature';
  let query: string;
  try {
    query = canonicalQuery(
      request.rawUrl.includes('?') ? request.rawUrl.slice(request.rawUrl.indexOf('?') + 1) : '',
    );
  } catch {
    return 'bad-signature'; // a malformed percent-encoding: nothing the SDK would sign
  }
  const queryAt = request.rawUrl.indexOf('?');
  const rawPath = queryAt === -1 ? request.rawUrl : request.rawUrl.slice(0, queryAt);
  const canonicalRequest = [
    request.method,
    s3 ? rawPath : rawPath.split('/').map(encode).join('/'),
    query,
    ...signedHeaders.map((name) => `${name}:${canonicalHeaderValue(header(request.headers, name))}`),
    '',
    signedHeaderList,
    // Only S3 signs a payload claim (UNSIGNED-PAYLOAD, streaming); every other service's body is
    // bound to the signature by its own hash, so a captured request cannot carry another body.
    s3 && claimed ? claimed : sha256(request.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${auth.secretAccessKey}`, date);
  for (const part of [region ?? '', service ?? '', 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return sameSecret(signature, expected) ? undefined : 'bad-signature';
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function canonicalHeaderValue(value: string | undefined): string {
  return (value ?? '').trim().replace(/\s+/g, ' ');
}

/** RFC 3986 encoding, as SigV4 wants it (`encodeURIComponent` leaves `!'()*` alone). */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const decode = (text: string) => decodeURIComponent(text);
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const key = at === -1 ? pair : pair.slice(0, at);
      const value = at === -1 ? '' : pair.slice(at + 1);
      return [encode(decode(key)), encode(decode(value))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
