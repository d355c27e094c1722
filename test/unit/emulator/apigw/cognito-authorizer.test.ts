import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  CognitoAuthorizer,
  type CognitoAuthorizerSettings,
  cognitoClaims,
} from '../../../../emulator/providers/aws/apigw/authorizers/cognito-authorizer';
import { JwksSource } from '../../../../emulator/providers/aws/apigw/authorizers/jwks';
import { restAuthorizerConfig } from '../../../../emulator/providers/aws/apigw/authorizers/rest-authorizer';
import { signJwt, testSigningKey } from '../../../helpers/jwt';

// API Gateway's Cognito user pool authorizer for REST APIs, as AWS documents it: the token of the
// Authorization header verified against the pool's keys; an ID token unless the method has OAuth
// scopes, then an access token with one of them; 401 {"message":"Unauthorized"} otherwise and
// {"message":"The incoming token has expired"} for an expired one; the claims as strings.

const POOL_ARN = 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123';
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123';
const key = testSigningKey('RS256');
const otherKey = testSigningKey('RS256');
const dir = mkdtempSync(join(tmpdir(), 'faasport-cognito-'));
writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.jwk] }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = () => Math.floor(Date.now() / 1000);
const idToken = (claims: Record<string, unknown> = {}, signer = key) =>
  signJwt(signer, {
    sub: 'c0ffee00-1111-2222-3333-444455556666',
    iss: ISSUER,
    aud: 'app-client-1',
    token_use: 'id',
    'cognito:username': 'ada',
    'cognito:groups': ['admin', 'ops'],
    email_verified: true,
    auth_time: 1_700_000_000,
    iat: now() - 10,
    exp: now() + 600,
    ...claims,
  });
const accessToken = (scope: string) =>
  signJwt(key, {
    sub: 'c0ffee00-1111-2222-3333-444455556666',
    iss: ISSUER,
    client_id: 'app-client-1',
    token_use: 'access',
    scope,
    iat: now() - 10,
    exp: now() + 600,
  });

function authorizer(
  spec: Record<string, unknown>,
  options: { verifySignature?: boolean; jwks?: string | undefined } = {},
) {
  const config = restAuthorizerConfig(spec, 'functions.f.events[0].http.authorizer');
  if (config?.kind !== 'cognito') throw new Error(`not a Cognito authorizer: ${JSON.stringify(config)}`);
  const { issuer } = config.settings;
  const configured = 'jwks' in options ? options.jwks : 'jwks.json';
  const keys =
    issuer || configured
      ? new JwksSource({ issuer: issuer ?? '', serviceDir: dir, ...(configured ? { configured } : {}) })
      : undefined;
  const unavailable: string[] = [];
  const cognito = new CognitoAuthorizer(config.settings, {
    verifySignature: options.verifySignature ?? true,
    keys,
    onKeysUnavailable: (error) => unavailable.push(error.message),
  });
  const ask = (authorization?: string) =>
    cognito.authorize({
      headers: authorization === undefined ? [] : [['authorization', authorization]],
      query: [],
    });
  return { ask, unavailable, settings: config.settings };
}

const bodyOf = (outcome: Awaited<ReturnType<ReturnType<typeof authorizer>['ask']>>) =>
  outcome.allowed
    ? undefined
    : { status: outcome.response.status, body: JSON.parse(outcome.response.body.toString()) };

describe('Cognito user pool authorizers (REST)', () => {
  test('the settings: the pool ARN gives the issuer; the name keys custom.faasport.jwt.jwks', () => {
    expect(authorizer({ name: 'pool', arn: POOL_ARN }).settings).toEqual<CognitoAuthorizerSettings>({
      name: 'pool',
      issuer: ISSUER,
      identitySources: [
        { from: 'header', name: 'Authorization', text: 'method.request.header.Authorization' },
      ],
      scopes: [],
    });
    // `authorizer: <pool ARN>` as a string, and a pool known only once deployed (Fn::GetAtt).
    expect(authorizer({ arn: POOL_ARN }).settings).toMatchObject({
      name: 'eu-west-1_AbC123',
      issuer: ISSUER,
    });
    expect(restAuthorizerConfig(POOL_ARN, 'w')?.kind).toBe('cognito');
    expect(
      authorizer({ type: 'COGNITO_USER_POOLS', arn: { 'Fn::GetAtt': ['UserPool', 'Arn'] } }).settings.issuer,
    ).toBeUndefined();
    // A pool per stage, and China's partition.
    expect(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: API Gateway's stage variable syntax, not a template
      authorizer({ arn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${stageVariables.pool}' })
        .settings.issuer,
    ).toBeUndefined();
    expect(
      authorizer({ arn: 'arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_X1' }).settings
        .issuer,
    ).toBe('https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1');
    expect(() =>
      restAuthorizerConfig({ type: 'COGNITO_USER_POOLS', arn: 'arn:aws:cognito-idp:pool' }, 'w'),
    ).toThrow('w.arn: "arn:aws:cognito-idp:pool" is not the ARN of a Cognito user pool');
    expect(() =>
      restAuthorizerConfig({ arn: POOL_ARN, identitySource: 'method.request.querystring.t' }, 'w'),
    ).toThrow('w.identitySource: a Cognito authorizer reads the token from one header');
  });

  test('an ID token of the pool passes; the function gets its claims as API Gateway writes them', async () => {
    const { ask } = authorizer({ arn: POOL_ARN });
    const token = idToken({ exp: 1_900_000_000, iat: 1_700_000_000 });
    const outcome = await ask(token);
    expect(outcome).toMatchObject({ allowed: true });
    if (!outcome.allowed) return;
    expect(outcome.authorizer).toEqual({
      claims: {
        sub: 'c0ffee00-1111-2222-3333-444455556666',
        iss: ISSUER,
        aud: 'app-client-1',
        token_use: 'id',
        'cognito:username': 'ada',
        'cognito:groups': 'admin,ops',
        email_verified: 'true',
        auth_time: '1700000000',
        iat: 'Tue Nov 14 22:13:20 UTC 2023',
        exp: 'Sun Mar 17 17:46:40 UTC 2030',
      },
    });
    // The Bearer form passes too.
    expect((await ask(`Bearer ${token}`)).allowed).toBe(true);
  });

  test('refusals: no token, not a JWT, another issuer, a forged signature, an access token without scopes', async () => {
    const { ask } = authorizer({ arn: POOL_ARN });
    const unauthorized = { status: 401, body: { message: 'Unauthorized' } };
    expect(bodyOf(await ask())).toEqual(unauthorized);
    expect(bodyOf(await ask('not-a-jwt'))).toEqual(unauthorized);
    expect(
      bodyOf(await ask(idToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }))),
    ).toEqual(unauthorized);
    expect(bodyOf(await ask(idToken({}, otherKey)))).toEqual(unauthorized);
    expect(bodyOf(await ask(accessToken('openid')))).toEqual(unauthorized);
    expect(bodyOf(await ask(idToken({ exp: now() - 5, iat: now() - 3600 })))).toEqual({
      status: 401,
      body: { message: 'The incoming token has expired' },
    });
  });

  test('with scopes, an access token granting one of them passes, an ID token does not', async () => {
    const { ask } = authorizer({ arn: POOL_ARN, scopes: ['notes/write', 'admin'] });
    expect((await ask(accessToken('openid notes/write'))).allowed).toBe(true);
    expect((await ask(accessToken('openid notes/read'))).allowed).toBe(false);
    expect((await ask(idToken())).allowed).toBe(false);
  });

  test('a pool known only once deployed: judged by the configured keys alone; without them refused', async () => {
    const deployed = { type: 'COGNITO_USER_POOLS', arn: { 'Fn::GetAtt': ['Pool', 'Arn'] } };
    const { ask } = authorizer(deployed);
    expect((await ask(idToken())).allowed).toBe(true);
    // Another Cognito pool (anybody can make one) signs with keys that are not the configured ones.
    const otherPool = idToken(
      { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil' },
      otherKey,
    );
    expect((await ask(otherPool)).allowed).toBe(false);
    // Not a Cognito issuer, even signed by the configured key; an S3 host is no Cognito region.
    expect((await ask(idToken({ iss: 'https://login.example.com/eu-west-1_AbC123' }))).allowed).toBe(false);
    expect((await ask(idToken({ iss: 'https://cognito-idp.s3.amazonaws.com/s3_x' }))).allowed).toBe(false);
    // Without configured keys nothing could tell the pool's tokens from any other pool's.
    const unconfigured = authorizer(deployed, { jwks: undefined });
    expect((await unconfigured.ask(idToken())).allowed).toBe(false);
  });

  test('unreadable keys refuse the token and say why; verifySignature: false skips only the signature', async () => {
    const missing = authorizer({ arn: POOL_ARN }, { jwks: 'nowhere.json' });
    const refused = await missing.ask(idToken());
    expect(refused.allowed).toBe(false);
    expect(missing.unavailable).toEqual([expect.stringContaining('nowhere.json')]);

    const { ask } = authorizer({ arn: POOL_ARN }, { verifySignature: false });
    expect((await ask(idToken({}, otherKey))).allowed).toBe(true);
    expect((await ask(idToken({ exp: now() - 5 }, otherKey))).allowed).toBe(false);
  });

  test('claims: lists joined with commas, objects as JSON, numbers and booleans as text', () => {
    expect(cognitoClaims({ exp: 0, groups: ['a'], address: { c: 'x' }, n: 3, ok: false })).toEqual({
      exp: 'Thu Jan 01 00:00:00 UTC 1970',
      groups: 'a',
      address: '{"c":"x"}',
      n: '3',
      ok: 'false',
    });
  });
});
