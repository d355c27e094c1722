import { describe, expect, test } from 'vitest';
import type { GatewayRequest } from '../../../../emulator/gateway/http-request';
import { apiKeySourceOf, apiKeysOf, requestApiKey } from '../../../../emulator/providers/aws/apigw/api-keys';
import type { AuthorizerInvoke } from '../../../../emulator/providers/aws/apigw/authorizers/authorizer-invoke';
import {
  HttpApiLambdaAuthorizer,
  httpApiAuthorizerSettings,
} from '../../../../emulator/providers/aws/apigw/authorizers/http-api-authorizers';
import {
  RestAuthorizer,
  restAuthorizerConfig,
} from '../../../../emulator/providers/aws/apigw/authorizers/rest-authorizer';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/items';
const allow = (principalId: string, context: unknown = {}) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN }],
  },
  context,
});

/** An authorizer function that answers `answer(event)` and counts its calls. */
function fakeAuthorizer(answer: (event: Record<string, unknown>) => unknown) {
  const events: Record<string, unknown>[] = [];
  const invoke: AuthorizerInvoke = async (event) => {
    events.push(event as Record<string, unknown>);
    const result = answer(event as Record<string, unknown>);
    if (result instanceof Error)
      return {
        payload: Buffer.from(JSON.stringify({ errorMessage: result.message, errorType: 'Error' })),
        failed: true,
      };
    return { payload: Buffer.from(JSON.stringify(result)), failed: false };
  };
  return { invoke, events };
}

const restAuthorizer = (spec: unknown, answer: (event: Record<string, unknown>) => unknown) => {
  const config = restAuthorizerConfig(spec, 'functions.f.events[0].http.authorizer');
  if (config?.kind !== 'lambda') throw new Error('a Lambda authorizer expected');
  const fake = fakeAuthorizer(answer);
  return { authorizer: new RestAuthorizer(config.settings, fake.invoke), events: fake.events };
};
const inputs = (headers: [string, string][], query: [string, string][] = []) => ({ headers, query });

describe('REST Lambda authorizers', () => {
  test('TOKEN: the Authorization header is the token; results are cached per token for resultTtlInSeconds', async () => {
    const { authorizer, events } = restAuthorizer('auth', (event) =>
      allow(`user-${String(event.authorizationToken)}`, { n: 1, ok: true }),
    );
    const first = await authorizer.authorize(inputs([['authorization', 'a']]), ARN, () => ({}));
    expect(first).toMatchObject({
      allowed: true,
      principalId: 'user-a',
      authorizer: { principalId: 'user-a', n: '1', ok: 'true' },
    });
    await authorizer.authorize(inputs([['Authorization', 'a']]), ARN, () => ({}));
    await authorizer.authorize(inputs([['Authorization', 'b']]), ARN, () => ({}));
    expect(events).toEqual([
      { type: 'TOKEN', methodArn: ARN, authorizationToken: 'a' },
      { type: 'TOKEN', methodArn: ARN, authorizationToken: 'b' },
    ]);
  });

  test('resultTtlInSeconds: 0 calls the authorizer every time', async () => {
    const { authorizer, events } = restAuthorizer({ name: 'auth', resultTtlInSeconds: 0 }, () => allow('u'));
    await authorizer.authorize(inputs([['Authorization', 'a']]), ARN, () => ({}));
    await authorizer.authorize(inputs([['Authorization', 'a']]), ARN, () => ({}));
    expect(events).toHaveLength(2);
  });

  test('no token, or one the validation expression refuses: 401 without calling the function', async () => {
    const { authorizer, events } = restAuthorizer(
      { name: 'auth', identityValidationExpression: '^Bearer .+$' },
      () => allow('u'),
    );
    for (const headers of [[], [['Authorization', '']], [['Authorization', 'Basic x']]] as [
      string,
      string,
    ][][]) {
      const outcome = await authorizer.authorize(inputs(headers), ARN, () => ({}));
      expect(outcome.allowed ? 0 : outcome.response.status).toBe(401);
    }
    expect(events).toHaveLength(0);
  });

  test('Unauthorized thrown → 401; another error, a bad policy or a nested context → 500', async () => {
    const cases: [unknown, number][] = [
      [new Error('Unauthorized'), 401],
      [new Error('boom'), 500],
      [{ principalId: 'u' }, 500],
      [{ policyDocument: allow('u').policyDocument }, 500],
      [allow('u', { nested: { a: 1 } }), 500],
      [allow('u', { list: [1] }), 500],
    ];
    for (const [answer, status] of cases) {
      const { authorizer } = restAuthorizer({ name: 'auth', resultTtlInSeconds: 0 }, () => answer);
      const outcome = await authorizer.authorize(inputs([['Authorization', 't']]), ARN, () => ({}));
      expect(outcome.allowed ? 200 : outcome.response.status, JSON.stringify(answer)).toBe(status);
    }
  });

  test('REQUEST: every identity source is required; the event is the request’s, with methodArn', async () => {
    const { authorizer, events } = restAuthorizer(
      {
        name: 'auth',
        type: 'request',
        identitySource: 'method.request.header.X-User, method.request.querystring.team',
      },
      () => allow('u'),
    );
    const missing = await authorizer.authorize(inputs([['x-user', 'bob']]), ARN, () => ({}));
    expect(missing.allowed).toBe(false);
    const ok = await authorizer.authorize(inputs([['x-user', 'bob']], [['team', 'red']]), ARN, () => ({
      headers: { 'x-user': 'bob' },
    }));
    expect(ok.allowed).toBe(true);
    expect(events).toEqual([{ type: 'REQUEST', methodArn: ARN, headers: { 'x-user': 'bob' } }]);
  });

  test('configuration mistakes are one-line errors; aws_iam and authorizerId are reported as not checked', () => {
    expect(() => restAuthorizerConfig({ type: 'weird', name: 'a' }, 'w')).toThrow(
      'w.type: "weird" is not an authorizer type',
    );
    expect(() => restAuthorizerConfig({ type: 'request', name: 'a', resultTtlInSeconds: 60 }, 'w')).toThrow(
      'w: a cached REQUEST authorizer needs an identitySource',
    );
    const uncached = restAuthorizerConfig({ type: 'request', name: 'a' }, 'w');
    expect(uncached?.kind === 'lambda' && uncached.settings.resultTtlInSeconds).toBe(0);
    expect(() => restAuthorizerConfig({ name: 'a', identitySource: 'header.Auth' }, 'w')).toThrow(
      '"header.Auth" is not an identity source',
    );
    expect(restAuthorizerConfig('aws_iam', 'w')).toEqual({
      kind: 'unsupported',
      what: 'aws_iam authorization',
    });
    expect(restAuthorizerConfig({ type: 'CUSTOM', authorizerId: { Ref: 'Shared' } }, 'w')).toEqual({
      kind: 'unsupported',
      what: 'an authorizer given by authorizerId (defined outside this service)',
    });
    // Cognito user pools are checked (test/unit/emulator/apigw/cognito-authorizer.test.ts).
    expect(restAuthorizerConfig({ arn: 'arn:aws:cognito-idp:us-east-1:1:userpool/x' }, 'w')?.kind).toBe(
      'cognito',
    );
    expect(restAuthorizerConfig('arn:aws:cognito-idp:us-east-1:1:userpool/x', 'w')?.kind).toBe('cognito');
  });
});

describe('HTTP API Lambda authorizers (payload 2.0)', () => {
  const make = (spec: Record<string, unknown>, answer: (event: Record<string, unknown>) => unknown) => {
    const settings = httpApiAuthorizerSettings({ a: { type: 'request', functionName: 'auth', ...spec } }).get(
      'a',
    );
    if (settings?.type !== 'request') throw new Error('a request authorizer expected');
    const fake = fakeAuthorizer(answer);
    return { authorizer: new HttpApiLambdaAuthorizer(settings, fake.invoke), events: fake.events };
  };
  const routeArn = 'arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/items';

  test('simple responses: isAuthorized and context; cached by identity (default 300 s)', async () => {
    const { authorizer, events } = make(
      { enableSimpleResponses: true, identitySource: '$request.header.Authorization' },
      (event) => ({
        isAuthorized: (event.identitySource as string[])[0] === 'yes',
        context: { deep: { ok: true } },
      }),
    );
    const ok = await authorizer.authorize(inputs([['authorization', 'yes']]), routeArn, () => ({
      rawPath: '/items',
      body: 'x',
    }));
    expect(ok).toEqual({ allowed: true, authorizer: { lambda: { deep: { ok: true } } } });
    await authorizer.authorize(inputs([['authorization', 'yes']]), routeArn, () => ({}));
    const no = await authorizer.authorize(inputs([['authorization', 'no']]), routeArn, () => ({}));
    expect(no.allowed ? 200 : no.response.status).toBe(403);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      version: '2.0',
      type: 'REQUEST',
      routeArn,
      identitySource: ['yes'],
      rawPath: '/items',
    });
    const missing = await authorizer.authorize(inputs([]), routeArn, () => ({}));
    expect(missing.allowed ? 200 : missing.response.status).toBe(401);
  });

  test('IAM policy responses are evaluated against the route ARN; a malformed answer is a 500', async () => {
    const allowRoute = {
      principalId: 'p',
      policyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: routeArn }] },
    };
    const { authorizer } = make(
      { identitySource: ['$request.header.Authorization'], resultTtlInSeconds: 0 },
      (event) => ((event.identitySource as string[])[0] === 'bad' ? { isAuthorized: true } : allowRoute),
    );
    expect((await authorizer.authorize(inputs([['authorization', 'x']]), routeArn, () => ({}))).allowed).toBe(
      true,
    );
    const other = await authorizer.authorize(
      inputs([['authorization', 'x']]),
      routeArn.replace('GET', 'POST'),
      () => ({}),
    );
    expect(other.allowed ? 200 : other.response.status).toBe(403);
    const bad = await authorizer.authorize(inputs([['authorization', 'bad']]), routeArn, () => ({}));
    expect(bad.allowed ? 200 : bad.response.status).toBe(500);
  });

  test('payload 1.0: the REST-shaped event with methodArn and the identity as one string; IAM policies', async () => {
    const { authorizer, events } = make(
      { payloadVersion: '1.0', identitySource: ['$request.header.Authorization', '$request.querystring.t'] },
      (event) => ({
        principalId: 'p',
        policyDocument: {
          Statement: [
            {
              Effect: event.authorizationToken === 'a,1' ? 'Allow' : 'Deny',
              Action: 'execute-api:Invoke',
              Resource: '*',
            },
          ],
        },
        context: { n: 1 },
      }),
    );
    const ok = await authorizer.authorize(
      inputs([['authorization', 'a']], [['t', '1']]),
      routeArn,
      () => ({ version: '2.0' }),
      () => ({ resource: '/items', httpMethod: 'GET', body: null }),
    );
    expect(ok).toEqual({ allowed: true, authorizer: { lambda: { n: 1 } } });
    expect(events[0]).toEqual({
      version: '1.0',
      type: 'REQUEST',
      methodArn: routeArn,
      identitySource: 'a,1',
      authorizationToken: 'a,1',
      resource: '/items',
      httpMethod: 'GET',
    });
    const denied = await authorizer.authorize(
      inputs([['authorization', 'b']], [['t', '1']]),
      routeArn,
      () => ({}),
    );
    expect(denied.allowed ? 200 : denied.response.status).toBe(403);
  });

  test('settings mistakes are one-line errors', () => {
    expect(() => httpApiAuthorizerSettings({ j: { type: 'jwt', audience: ['a'] } })).toThrow(
      'provider.httpApi.authorizers.j.issuerUrl is missing',
    );
    expect(() => httpApiAuthorizerSettings({ j: { type: 'jwt', issuerUrl: 'https://i' } })).toThrow(
      'provider.httpApi.authorizers.j.audience is missing',
    );
    expect(() => httpApiAuthorizerSettings({ r: { type: 'request' } })).toThrow(
      'needs functionName or functionArn',
    );
    expect(() =>
      httpApiAuthorizerSettings({ r: { type: 'request', functionName: 'f', resultTtlInSeconds: 5 } }),
    ).toThrow('a cached authorizer needs an identitySource');
    expect(httpApiAuthorizerSettings({ r: { type: 'request', functionName: 'f' } }).get('r')).toMatchObject({
      resultTtlInSeconds: 0,
    });
    expect(() =>
      httpApiAuthorizerSettings({
        r: {
          type: 'request',
          functionName: 'f',
          identitySource: '$request.header.A',
          payloadVersion: '1.0',
          enableSimpleResponses: true,
        },
      }),
    ).toThrow('simple responses need payload version 2.0');
    expect(() =>
      httpApiAuthorizerSettings({ r: { type: 'request', functionName: 'f', payloadVersion: '3.0' } }),
    ).toThrow('"3.0" is not a payload version');
  });
});

describe('API keys', () => {
  test('written values, derived values that stay the same, usage plan groups, disabled keys', () => {
    const keys = apiKeysOf(
      {
        apiKeys: [
          'plain',
          { name: 'given', value: 'v'.repeat(20) },
          { free: ['planned', { name: 'off', value: 'o'.repeat(20), enabled: false }] },
        ],
      },
      'svc',
      'dev',
    );
    expect(keys.map((key) => [key.name, key.enabled])).toEqual([
      ['plain', true],
      ['given', true],
      ['planned', true],
      ['off', false],
    ]);
    expect(keys[1]?.value).toBe('v'.repeat(20));
    expect(keys[0]?.value).toHaveLength(40);
    expect(apiKeysOf({ apiKeys: ['plain'] }, 'svc', 'dev')[0]?.value).toBe(keys[0]?.value);
    expect(apiKeysOf({ apiKeys: ['plain'] }, 'svc', 'prod')[0]?.value).not.toBe(keys[0]?.value);
    expect(() => apiKeysOf({ apiKeys: [{ name: 'k', value: 'short' }] }, 's', 'd')).toThrow(
      'at least 20 characters',
    );
  });

  test('a key comes from x-api-key, or from the authorizer’s usageIdentifierKey (apiKeySourceType: AUTHORIZER)', () => {
    const keys = apiKeysOf({ apiKeys: [{ name: 'k', value: 'k'.repeat(20) }] }, 's', 'd');
    const request = (headers: [string, string][]): GatewayRequest => ({
      method: 'GET',
      path: '/dev/x',
      rawQuery: '',
      headers,
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      receivedAt: new Date(),
    });
    expect(requestApiKey(keys, request([['X-Api-Key', 'k'.repeat(20)]]))?.name).toBe('k');
    expect(requestApiKey(keys, request([['x-api-key', 'nope']]))).toBeUndefined();
    expect(apiKeySourceOf({ apiKeySourceType: 'AUTHORIZER' })).toBe('AUTHORIZER');
    expect(apiKeySourceOf(undefined)).toBe('HEADER');
    expect(
      requestApiKey(keys, request([['x-api-key', 'k'.repeat(20)]]), 'AUTHORIZER', undefined),
    ).toBeUndefined();
    expect(requestApiKey(keys, request([]), 'AUTHORIZER', 'k'.repeat(20))?.name).toBe('k');
    expect(() => apiKeySourceOf({ apiKeySourceType: 'QUERY' })).toThrow('"QUERY" is not a key source');
  });
});
