import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { JwksSource } from '../../../../emulator/providers/aws/apigw/authorizers/jwks';
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
    for (const alg of ['none', 'HS256']) {
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
