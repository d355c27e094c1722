import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';

/** What a JWT authorizer expects of a token (`provider.httpApi.authorizers.<name>`). */
export interface JwtExpectations {
  issuer: string;
  /** The token's `aud` (or `client_id`) must be one of these; undefined: any (Cognito authorizers). */
  audience: string[] | undefined;
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

export type JwtCheck =
  | { valid: true; claims: Record<string, unknown> }
  | { valid: false; reason: string; expired?: true };

/** The algorithms API Gateway accepts, with the key each needs (RFC 7518 §3.3, §3.4). */
const ALGORITHMS: Record<string, { hash: string; kty: 'RSA' | 'EC'; crv?: string }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384' },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521' },
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
    // `none` and HS* are absent from the table: an HMAC "verified" with a public key is forgeable.
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const algorithm = ALGORITHMS[alg];
    if (!algorithm)
      return { valid: false, reason: `the signing algorithm ${alg || '(none)'} is not accepted` };
    const candidates = keys.filter(
      (key) => (header.kid === undefined || key.kid === header.kid) && canVerify(key, alg, algorithm),
    );
    if (candidates.length === 0) return { valid: false, reason: 'no key of the issuer matches the token' };
    // Without a kid, trying each key would accept a signature by any of them: only an unambiguous key will do.
    if (header.kid === undefined && candidates.length > 1)
      return { valid: false, reason: 'the token has no kid and several keys of the issuer could verify it' };
    const verified = candidates.some((jwk) => {
      try {
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        return verify(
          algorithm.hash,
          Buffer.from(token.signingInput),
          algorithm.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key,
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
  const accepted = expect.audience;
  if (accepted && !audiences.some((audience) => accepted.includes(audience)))
    return { valid: false, reason: 'the audience is not one the authorizer accepts' };
  if (typeof claims.exp !== 'number') return { valid: false, reason: 'the token has no expiry' };
  if (claims.exp <= now) return { valid: false, reason: 'the token has expired', expired: true };
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

/**
 * Whether a JWKS key may verify a signature made with `alg`: meant for signatures (`use`, `key_ops`;
 * RFC 7517 §4.2, §4.3), of the same `alg` when it names one (§4.4), of the type the algorithm needs,
 * and for ECDSA on its curve — ECDSA verifies any digest on any curve, so without this a P-256
 * key would pass for ES384.
 */
function canVerify(key: JsonWebKey, alg: string, algorithm: { kty: string; crv?: string }): boolean {
  if (key.use !== undefined && key.use !== 'sig') return false;
  if (key.key_ops !== undefined && !(Array.isArray(key.key_ops) && key.key_ops.includes('verify')))
    return false;
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (key.kty !== algorithm.kty) return false;
  return algorithm.crv === undefined || key.crv === algorithm.crv;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
