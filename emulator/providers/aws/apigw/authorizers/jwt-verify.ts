import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** What a JWT authorizer expects of a token (`provider.httpApi.authorizers.<name>`). */
export interface JwtExpectations {
  issuer: string;
  /** The token's `aud` (or `client_id`) must be one of these. */
  audience: string[];
  verifySignature: boolean;
  /** Seconds since the epoch (for tests). */
  now?: number;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export type JwtCheck = { valid: true; claims: Record<string, unknown> } | { valid: false; reason: string };

const ALGORITHMS: Record<string, { hash: string; family: 'RSA' | 'EC' }> = {
  RS256: { hash: 'sha256', family: 'RSA' },
  RS384: { hash: 'sha384', family: 'RSA' },
  RS512: { hash: 'sha512', family: 'RSA' },
  ES256: { hash: 'sha256', family: 'EC' },
  ES384: { hash: 'sha384', family: 'EC' },
  ES512: { hash: 'sha512', family: 'EC' },
};

/** A compact JWS split and parsed; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (!isRecord(decodedHeader) || !isRecord(claims)) return undefined;
    return {
      header: decodedHeader,
      claims,
      signingInput: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Checks a token as an HTTP API JWT authorizer does: an RSA or EC signature by a key of the
 * issuer's JWKS (chosen by `kid`), `iss` equal to the issuer, `aud` or `client_id` among the
 * audiences, `exp` in the future, `nbf` and `iat` not in it.
 */
export function verifyJwt(token: DecodedJwt, keys: JsonWebKey[], expect: JwtExpectations): JwtCheck {
  const { header, claims } = token;
  if (expect.verifySignature) {
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const algorithm = ALGORITHMS[alg];
    if (!algorithm)
      return { valid: false, reason: `the signing algorithm ${alg || '(none)'} is not accepted` };
    const candidates = keys.filter(
      (key) =>
        (header.kid === undefined || key.kid === header.kid) &&
        key.kty === algorithm.family &&
        (key.alg === undefined || key.alg === alg),
    );
    if (candidates.length === 0) return { valid: false, reason: 'no key of the issuer matches the token' };
    const verified = candidates.some((jwk) => {
      try {
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        return verify(
          algorithm.hash,
          Buffer.from(token.signingInput),
          algorithm.family === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key,
          token.signature,
        );
      } catch {
        return false;
      }
    });
    if (!verified) return { valid: false, reason: 'the signature is invalid' };
  }
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  if (claims.iss !== expect.issuer) return { valid: false, reason: 'the issuer is not the expected one' };
  const audiences = [
    ...(Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud]),
    ...(claims.client_id === undefined ? [] : [claims.client_id]),
  ].map(String);
  if (!audiences.some((audience) => expect.audience.includes(audience)))
    return { valid: false, reason: 'the audience is not one the authorizer accepts' };
  if (typeof claims.exp !== 'number') return { valid: false, reason: 'the token has no expiry' };
  if (claims.exp <= now) return { valid: false, reason: 'the token has expired' };
  if (typeof claims.nbf === 'number' && claims.nbf > now)
    return { valid: false, reason: 'the token is not valid yet' };
  if (typeof claims.iat === 'number' && claims.iat > now)
    return { valid: false, reason: 'the token was issued in the future' };
  return { valid: true, claims };
}

/** `scope` (space separated) or `scp` (a list or a string). */
export function tokenScopes(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw === 'string') return raw.split(/\s+/).filter(Boolean);
  return [];
}

/** Claims as the event carries them: strings, lists as `[a b]`, objects as JSON. */
export function eventClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.map(String).join(' ')}]`
          : typeof value === 'object' && value !== null
            ? JSON.stringify(value)
            : String(value),
    ]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
