import { generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, onTestFinished, test } from 'vitest';
import { parseIdentitySources } from '../../../../emulator/providers/aws/apigw/authorizers/identity-source';
import { JwksSource } from '../../../../emulator/providers/aws/apigw/authorizers/jwks';
import { JwtAuthorizer } from '../../../../emulator/providers/aws/apigw/authorizers/jwt-authorizer';
import {
  decodeJwt,
  eventClaims,
  type JwtExpectations,
  tokenScopes,
  verifyJwt,
} from '../../../../emulator/providers/aws/apigw/authorizers/jwt-verify';
import { signJwt, startTestIssuer, testSigningKey } from '../../../helpers/jwt';

const NOW = 1_800_000_000;
const ISSUER = 'https://issuer.example';
const expect_: JwtExpectations = { issuer: ISSUER, audience: ['app'], verifySignature: true, now: NOW };
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: 'app',
  sub: 's',
  iat: NOW - 10,
  exp: NOW + 60,
  ...extra,
});
const rsa = testSigningKey('RS256');
const ec = testSigningKey('ES256');
const keys = [rsa.jwk, ec.jwk];
const check = (token: string, expectations: JwtExpectations = expect_) => {
  const decoded = decodeJwt(token);
  if (!decoded) throw new Error('not a JWT');
  return verifyJwt(decoded, keys, expectations);
};

describe('JWT verification', () => {
  test('RS256 and ES256 tokens signed by a key of the JWKS are valid', () => {
    expect(check(signJwt(rsa, claims()))).toEqual({ valid: true, claims: claims() });
    expect(check(signJwt(ec, claims())).valid).toBe(true);
  });

  test('a changed payload, a forged signature or an unknown key is refused', () => {
    const token = signJwt(rsa, claims());
    const [header, , signature] = token.split('.');
    const changed = `${header}.${Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url')}.${signature}`;
    expect(check(changed)).toEqual({ valid: false, reason: 'the signature is invalid' });
    const stranger = testSigningKey('RS256');
    expect(check(signJwt({ ...stranger, kid: rsa.kid }, claims()))).toEqual({
      valid: false,
      reason: 'the signature is invalid',
    });
    expect(check(signJwt(stranger, claims()))).toEqual({
      valid: false,
      reason: 'no key of the issuer matches the token',
    });
  });

  test('alg none and HMAC tokens are refused', () => {
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    for (const alg of ['none', 'None', 'HS256', 'HS384', 'HS512']) {
      const header = Buffer.from(JSON.stringify({ alg, kid: rsa.kid })).toString('base64url');
      expect(check(`${header}.${payload}.`)).toEqual({
        valid: false,
        reason: `the signing algorithm ${alg} is not accepted`,
      });
    }
  });

  test('issuer, audience (or client_id), exp, nbf and iat are checked', () => {
    expect(check(signJwt(rsa, claims({ iss: 'https://other' })))).toMatchObject({
      valid: false,
      reason: 'the issuer is not the expected one',
    });
    expect(check(signJwt(rsa, claims({ aud: ['x', 'y'] })))).toMatchObject({
      valid: false,
      reason: 'the audience is not one the authorizer accepts',
    });
    expect(check(signJwt(rsa, claims({ aud: undefined, client_id: 'app' }))).valid).toBe(true);
    expect(check(signJwt(rsa, claims({ aud: ['x', 'app'] }))).valid).toBe(true);
    expect(check(signJwt(rsa, claims({ exp: NOW })))).toMatchObject({
      valid: false,
      reason: 'the token has expired',
    });
    expect(check(signJwt(rsa, claims({ exp: undefined })))).toMatchObject({
      valid: false,
      reason: 'the token has no expiry',
    });
    expect(check(signJwt(rsa, claims({ nbf: NOW + 5 })))).toMatchObject({
      valid: false,
      reason: 'the token is not valid yet',
    });
    expect(check(signJwt(rsa, claims({ iat: NOW + 5 })))).toMatchObject({
      valid: false,
      reason: 'the token was issued in the future',
    });
  });

  test('with verifySignature off, a token of any key passes if its claims do', () => {
    const stranger = testSigningKey('RS256');
    const decoded = decodeJwt(signJwt(stranger, claims()));
    if (!decoded) throw new Error('not a JWT');
    expect(verifyJwt(decoded, [], { ...expect_, verifySignature: false }).valid).toBe(true);
    const expired = decodeJwt(signJwt(stranger, claims({ exp: NOW - 1 })));
    if (!expired) throw new Error('not a JWT');
    expect(verifyJwt(expired, [], { ...expect_, verifySignature: false }).valid).toBe(false);
  });

  test('scopes come from scope or scp; claims are strings in the event', () => {
    expect(tokenScopes({ scope: 'a b  c' })).toEqual(['a', 'b', 'c']);
    expect(tokenScopes({ scp: ['x', 'y'] })).toEqual(['x', 'y']);
    expect(tokenScopes({})).toEqual([]);
    expect(eventClaims({ sub: 's', exp: 5, groups: ['a', 'b'], admin: true, obj: { k: 1 } })).toEqual({
      sub: 's',
      exp: '5',
      groups: '[a b]',
      admin: 'true',
      obj: '{"k":1}',
    });
    expect(decodeJwt('not.a.jwt')).toBeUndefined();
    expect(decodeJwt('onlyonepart')).toBeUndefined();
  });
});

/** A key pair of the given kind, its public half as a JWK with only kty and key material (no alg, use, kid). */
function bareKey(kind: 'rsa' | 'P-256' | 'P-384' | 'P-521'): { privateKey: KeyObject; jwk: JsonWebKey } {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: kind });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

/** A compact JWS with any header, signed with `hash` (so a header may lie about the algorithm). */
function signWith(
  privateKey: KeyObject,
  header: Record<string, unknown>,
  hash: string,
  body: Record<string, unknown> = claims(),
): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(body)}`;
  const key =
    privateKey.asymmetricKeyType === 'ec'
      ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
      : privateKey;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

const verifyWith = (token: string, jwks: JsonWebKey[]) => {
  const decoded = decodeJwt(token);
  if (!decoded) throw new Error('not a JWT');
  return verifyJwt(decoded, jwks, expect_);
};
const NO_KEY = { valid: false, reason: 'no key of the issuer matches the token' };

describe('JWKS key selection (RFC 7515/7517, as API Gateway does it)', () => {
  test('a key for encryption (use: enc, or key_ops without verify) never verifies a signature', () => {
    const token = signJwt(rsa, claims());
    expect(verifyWith(token, [{ ...rsa.jwk, use: 'enc' }])).toEqual(NO_KEY);
    expect(verifyWith(token, [{ ...rsa.jwk, key_ops: ['encrypt', 'wrapKey'] }])).toEqual(NO_KEY);
    expect(verifyWith(token, [{ ...rsa.jwk, use: undefined }]).valid).toBe(true);
    expect(verifyWith(token, [{ ...rsa.jwk, key_ops: ['verify'] }]).valid).toBe(true);
  });

  test('a key whose alg is set and differs from the token’s is skipped', () => {
    expect(verifyWith(signJwt(rsa, claims()), [{ ...rsa.jwk, alg: 'RS512' }])).toEqual(NO_KEY);
  });

  test('an EC key verifies only the algorithm of its curve', () => {
    const p256 = bareKey('P-256');
    const p384 = bareKey('P-384');
    const p521 = bareKey('P-521');
    const jwks = [
      { ...p256.jwk, kid: 'p256' },
      { ...p384.jwk, kid: 'p384' },
      { ...p521.jwk, kid: 'p521' },
    ];
    expect(verifyWith(signWith(p256.privateKey, { alg: 'ES256', kid: 'p256' }, 'sha256'), jwks).valid).toBe(
      true,
    );
    expect(verifyWith(signWith(p384.privateKey, { alg: 'ES384', kid: 'p384' }, 'sha384'), jwks).valid).toBe(
      true,
    );
    expect(verifyWith(signWith(p521.privateKey, { alg: 'ES512', kid: 'p521' }, 'sha512'), jwks).valid).toBe(
      true,
    );
    // ECDSA signs any digest with any curve: only the curve check stops a P-256 key passing for ES384.
    expect(verifyWith(signWith(p256.privateKey, { alg: 'ES384', kid: 'p256' }, 'sha384'), jwks)).toEqual(
      NO_KEY,
    );
    expect(verifyWith(signWith(p384.privateKey, { alg: 'ES256', kid: 'p384' }, 'sha256'), jwks)).toEqual(
      NO_KEY,
    );
    expect(verifyWith(signWith(p521.privateKey, { alg: 'ES384', kid: 'p521' }, 'sha384'), jwks)).toEqual(
      NO_KEY,
    );
  });

  test('an RSA key verifies only RS algorithms, an EC key only ES ones', () => {
    const rsaKey = bareKey('rsa');
    const ecKey = bareKey('P-256');
    const jwks = [
      { ...rsaKey.jwk, kid: 'r' },
      { ...ecKey.jwk, kid: 'e' },
    ];
    expect(verifyWith(signWith(rsaKey.privateKey, { alg: 'RS384', kid: 'r' }, 'sha384'), jwks).valid).toBe(
      true,
    );
    expect(verifyWith(signWith(rsaKey.privateKey, { alg: 'RS512', kid: 'r' }, 'sha512'), jwks).valid).toBe(
      true,
    );
    expect(verifyWith(signWith(ecKey.privateKey, { alg: 'RS256', kid: 'e' }, 'sha256'), jwks)).toEqual(
      NO_KEY,
    );
    expect(verifyWith(signWith(rsaKey.privateKey, { alg: 'ES256', kid: 'r' }, 'sha256'), jwks)).toEqual(
      NO_KEY,
    );
  });

  test('a token without kid is checked only when a single key of the JWKS could verify it', () => {
    const other = testSigningKey('RS256');
    const noKid = signWith(rsa.privateKey, { alg: 'RS256', typ: 'JWT' }, 'sha256');
    // The EC key and the encryption key are no candidates for RS256: one key is left.
    expect(verifyWith(noKid, [rsa.jwk, ec.jwk, { ...other.jwk, use: 'enc' }]).valid).toBe(true);
    const ambiguous = {
      valid: false,
      reason: 'the token has no kid and several keys of the issuer could verify it',
    };
    expect(verifyWith(noKid, [other.jwk, rsa.jwk])).toEqual(ambiguous);
    expect(verifyWith(noKid, [rsa.jwk, other.jwk])).toEqual(ambiguous);
  });

  test('the authorizer answers 401 to a token without kid when the issuer has several keys', async () => {
    const other = testSigningKey('RS256');
    const dir = mkdtempSync(join(tmpdir(), 'faasport-jwks-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [rsa.jwk, other.jwk] }));
    const authorizer = new JwtAuthorizer(
      {
        type: 'jwt',
        name: 'users',
        identitySources: parseIdentitySources('$request.header.Authorization', 'http-api', 'test'),
        issuer: ISSUER,
        audience: ['app'],
      },
      new JwksSource({ issuer: ISSUER, configured: jwksFile, serviceDir: '/' }),
      { verifySignature: true, onKeysUnavailable: () => {} },
    );
    const realClaims = {
      ...claims(),
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 60,
    };
    const token = signWith(rsa.privateKey, { alg: 'RS256' }, 'sha256', realClaims);
    const refused = await authorizer.authorize(
      { headers: [['authorization', `Bearer ${token}`]], query: [] },
      [],
    );
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.response.status).toBe(401);
    expect(refused.response.headers).toContainEqual([
      'www-authenticate',
      'Bearer scope="" error="invalid_token" error_description="the token has no kid and several keys of the issuer could verify it"',
    ]);
    // The same token with its kid passes: the refusal is the missing kid, not the token.
    const withKid = signJwt(rsa, realClaims);
    const allowed = await authorizer.authorize(
      { headers: [['authorization', `Bearer ${withKid}`]], query: [] },
      [],
    );
    expect(allowed.allowed).toBe(true);
  });
});

describe('JWKS sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-jwks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a file beside serverless.yml', async () => {
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [rsa.jwk] }));
    const source = new JwksSource({ issuer: ISSUER, configured: 'jwks.json', serviceDir: dir });
    expect((await source.get(rsa.kid)).map((key) => key.kid)).toEqual([rsa.kid]);
  });

  test('OpenID discovery of the issuer, read once; an unreachable issuer is an error', async () => {
    const issuer = await startTestIssuer([rsa]);
    try {
      const source = new JwksSource({ issuer: `${issuer.url}/`, serviceDir: dir });
      expect((await source.get(rsa.kid)).map((key) => key.kid)).toEqual([rsa.kid]);
      await source.get(rsa.kid);
      // An unknown kid right after a read does not hammer the issuer: the keys read stand.
      expect((await source.get('rotated-kid')).map((key) => key.kid)).toEqual([rsa.kid]);
      expect(issuer.jwksFetches()).toBe(1);
    } finally {
      await issuer.close();
    }
    await expect(new JwksSource({ issuer: issuer.url, serviceDir: dir }).get(undefined)).rejects.toThrow();
  });

  test('a file that holds no JWKS is an error naming it', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"nokeys": true}');
    await expect(
      new JwksSource({ issuer: ISSUER, configured: join(dir, 'bad.json'), serviceDir: '/' }).get(undefined),
    ).rejects.toThrow(/bad\.json holds no JWKS/);
  });
});
