import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { signJwt, startTestIssuer, testSigningKey } from '../../helpers/jwt';

const config = join(__dirname, '../../../fixtures/apigw-features/serverless.yml');
const API_KEY = 'local-test-key-0123456789abcdef';

// biome-ignore lint/suspicious/noExplicitAny: events are asserted field by field below
type Echo = { calls: number; event: any };

describe('API Gateway features of serverless.yml (process engine)', () => {
  let emulator: Emulator;
  let gateway: string;
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  const key = testSigningKey('RS256');
  const logger = new MemoryLogger();
  /** Invocations of the REST TOKEN authorizer so far (its START log lines). */
  const authorizerStarts = () =>
    logger.lines.filter(
      (line) => line.source === 'apigw-dev-tokenAuthorizer' && line.text.startsWith('START '),
    ).length;
  const jwtFor = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(key, {
      iss: issuer.url,
      aud: 'faasport-tests',
      sub: 'user-1',
      iat: now,
      exp: now + 600,
      ...claims,
    });
  };

  beforeAll(async () => {
    issuer = await startTestIssuer([key]);
    process.env.FAASPORT_TEST_ISSUER = issuer.url;
    emulator = await startEmulator(config, { engine: 'process', logger });
    gateway = emulator.urls.gateway;
  });
  afterAll(async () => {
    await emulator?.stop();
    await issuer?.close();
    delete process.env.FAASPORT_TEST_ISSUER;
  });

  test('the API keys are printed at start', () => {
    expect(logger.lines.map((line) => line.text).join('\n')).toContain(`local-key: ${API_KEY}`);
  });

  test('REST TOKEN authorizer: missing or malformed token 401 without invoking, Unauthorized 401, Deny 403, malformed policy 500', async () => {
    const missing = await fetch(`${gateway}/dev/secure`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const notMatching = await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Basic abc' } });
    expect(notMatching.status).toBe(401);
    expect(authorizerStarts()).toBe(0);
    const unauthorized = await fetch(`${gateway}/dev/secure`, {
      headers: { Authorization: 'Bearer unauthorized' },
    });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ message: 'Unauthorized' });
    const denied = await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Bearer deny' } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      Message: 'User is not authorized to access this resource with an explicit deny',
    });
    expect(authorizerStarts()).toBe(2);
    const broken = await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Bearer broken' } });
    expect(broken.status).toBe(500);
    expect(broken.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
    expect(await broken.json()).toEqual({ message: null });
  });

  test('REST TOKEN authorizer: an Allow reaches the function with principalId and stringified context; cached by token', async () => {
    const first = await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Bearer alice' } });
    expect(first.status).toBe(200);
    const { event } = (await first.json()) as Echo;
    expect(event.requestContext.authorizer).toMatchObject({
      principalId: 'user-alice',
      team: 'blue',
      level: '3',
      admin: 'false',
    });
    // The same token on another route of the same authorizer: the cached policy (a wildcard) serves it.
    const second = await fetch(`${gateway}/dev/secure-too`, { headers: { Authorization: 'Bearer alice' } });
    expect(second.status).toBe(200);
    const again = (await second.json()) as Echo;
    expect(again.event.requestContext.authorizer.calls).toBe(event.requestContext.authorizer.calls);
  });

  test('REST authorizer: a context value that is an object is a 500', async () => {
    const nested = await fetch(`${gateway}/dev/secure-too`, { headers: { Authorization: 'nested' } });
    expect(nested.status).toBe(500);
  });

  test('REST REQUEST authorizer by ARN: identity sources required, policy per user, context passed', async () => {
    const missing = await fetch(`${gateway}/dev/by-request?team=red`);
    expect(missing.status).toBe(401);
    const allowed = await fetch(`${gateway}/dev/by-request?team=red`, { headers: { 'X-User': 'bob' } });
    expect(allowed.status).toBe(200);
    const { event } = (await allowed.json()) as Echo;
    expect(event.requestContext.authorizer).toMatchObject({ principalId: 'bob', team: 'red' });
    const denied = await fetch(`${gateway}/dev/by-request?team=red`, { headers: { 'X-User': 'mallory' } });
    expect(denied.status).toBe(403);
  });

  test('private: true needs a known x-api-key: 403 Forbidden otherwise; the key is in identity', async () => {
    const missing = await fetch(`${gateway}/dev/private`);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: 'Forbidden' });
    const wrong = await fetch(`${gateway}/dev/private`, { headers: { 'x-api-key': 'nope' } });
    expect(wrong.status).toBe(403);
    const ok = await fetch(`${gateway}/dev/private`, { headers: { 'x-api-key': API_KEY } });
    expect(ok.status).toBe(200);
    const { event } = (await ok.json()) as Echo;
    expect(event.requestContext.identity.apiKey).toBe(API_KEY);
    expect(event.requestContext.identity.apiKeyId).toEqual(expect.any(String));
  });

  test('request validation: missing required parameters and an invalid body are 400 before the function runs', async () => {
    const body = JSON.stringify({ name: 'a', count: 2 });
    const headers = { 'content-type': 'application/json', 'x-trace': 't' };
    const noParams = await fetch(`${gateway}/dev/validated`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(noParams.status).toBe(400);
    expect(await noParams.json()).toEqual({
      message: 'Missing required request parameters: [x-trace, mode]',
    });
    const badBody = await fetch(`${gateway}/dev/validated?mode=x`, {
      method: 'POST',
      body: '{"count":"two"}',
      headers,
    });
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toEqual({ message: 'Invalid request body' });
    const good = await fetch(`${gateway}/dev/validated?mode=x`, { method: 'POST', body, headers });
    expect(good.status).toBe(200);
  });

  test('REST cors: true answers the preflight without the function', async () => {
    const preflight = await fetch(`${gateway}/dev/validated`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('OPTIONS,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(preflight.headers.get('x-faasport-instance')).toBeNull();
  });

  test('integration: lambda: request template, response template and headers, error selection pattern', async () => {
    const ok = await fetch(`${gateway}/dev/legacy/42`, {
      method: 'POST',
      body: JSON.stringify({ name: 'Widget "1"' }),
      headers: { 'content-type': 'application/json', 'user-agent': 'tester' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-legacy')).toBe('yes');
    expect(ok.headers.get('content-type')).toBe('application/json');
    expect(await ok.json()).toEqual({ id: '42', name: 'Widget "1"', mapped: true });

    const missing = await fetch(`${gateway}/dev/legacy/missing`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: '[404] Not found: missing' });
  });

  test('integration: lambda default template: body, method, principalId, path, query, headers, stage', async () => {
    const response = await fetch(`${gateway}/dev/legacy-default/7?q=1`, {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: {
        'content-type': 'application/json',
        Authorization: 'Bearer carol',
        Origin: 'https://x.example',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const event = (await response.json()) as Record<string, unknown>;
    expect(event).toMatchObject({
      body: { a: 1 },
      method: 'POST',
      principalId: 'user-carol',
      stage: 'dev',
      path: { id: '7' },
      query: { q: '1' },
      requestPath: '/legacy-default/{id}',
      enhancedAuthContext: { team: 'blue', level: '3' },
    });
    expect((event.headers as Record<string, string>).Authorization).toBe('Bearer carol');
    const text = await fetch(`${gateway}/dev/legacy-string`);
    expect(text.status).toBe(200);
    expect(await text.json()).toBe('just text');
  });

  test('HTTP API CORS: preflight answered by the gateway; configured headers replace the function’s', async () => {
    const preflight = await fetch(`${gateway}/api/open`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(preflight.headers.get('x-faasport-instance')).toBeNull();

    const actual = await fetch(`${gateway}/api/open`, {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'https://app.example.com' },
    });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(actual.headers.get('access-control-expose-headers')).toBe('x-request-id');
    const other = await fetch(`${gateway}/api/open`, {
      method: 'POST',
      body: '{}',
      headers: { Origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('HTTP API Lambda authorizer, simple responses: 401 without identity, 403 when not authorized, context under authorizer.lambda', async () => {
    const missing = await fetch(`${gateway}/api/simple`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const refused = await fetch(`${gateway}/api/simple`, { headers: { Authorization: 'wrong' } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });
    const ok = await fetch(`${gateway}/api/simple`, { headers: { Authorization: 'letmein' } });
    expect(ok.status).toBe(200);
    const { event } = (await ok.json()) as Echo;
    expect(event.requestContext.authorizer.lambda).toMatchObject({ user: 'simple-user' });
    expect(event.requestContext.authorizer.lambda.routeArn).toMatch(
      /^arn:aws:execute-api:us-east-1:123456789012:[^/]+\/\$default\/GET\/api\/simple$/,
    );
  });

  test('HTTP API Lambda authorizer, IAM policy responses', async () => {
    expect((await fetch(`${gateway}/api/policy`, { headers: { Authorization: 'no' } })).status).toBe(403);
    const ok = await fetch(`${gateway}/api/policy`, { headers: { Authorization: 'allow' } });
    expect(ok.status).toBe(200);
    const { event } = (await ok.json()) as Echo;
    expect(event.requestContext.authorizer.lambda).toMatchObject({ via: 'policy' });
  });

  test('HTTP API Lambda authorizer, payload 1.0: the REST-shaped event and an IAM policy', async () => {
    expect((await fetch(`${gateway}/api/v1/5`, { headers: { Authorization: 'other' } })).status).toBe(403);
    const ok = await fetch(`${gateway}/api/v1/5`, { headers: { Authorization: 'v1-token' } });
    expect(ok.status).toBe(200);
    const { event } = (await ok.json()) as Echo;
    expect(event.requestContext.authorizer.lambda).toEqual({ resource: '/api/v1/{id}', method: 'GET' });
  });

  test('HTTP API JWT authorizer: signature against the issuer JWKS, audience, expiry and scopes', async () => {
    expect((await fetch(`${gateway}/api/jwt`)).status).toBe(401);
    const good = jwtFor({ scope: 'items.read items.write' });
    const ok = await fetch(`${gateway}/api/jwt`, { headers: { Authorization: `Bearer ${good}` } });
    expect(ok.status).toBe(200);
    const { event } = (await ok.json()) as Echo;
    expect(event.requestContext.authorizer.jwt.claims).toMatchObject({
      sub: 'user-1',
      aud: 'faasport-tests',
    });
    expect(event.requestContext.authorizer.jwt.scopes).toEqual(['items.read', 'items.write']);

    const expired = jwtFor({ scope: 'items.read', exp: Math.floor(Date.now() / 1000) - 60 });
    const late = await fetch(`${gateway}/api/jwt`, { headers: { Authorization: `Bearer ${expired}` } });
    expect(late.status).toBe(401);
    expect(late.headers.get('www-authenticate')).toContain('invalid_token');
    const otherAudience = jwtFor({ scope: 'items.read', aud: 'someone-else' });
    expect((await fetch(`${gateway}/api/jwt`, { headers: { Authorization: otherAudience } })).status).toBe(
      401,
    );
    const forged = `${good.slice(0, good.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
    expect((await fetch(`${gateway}/api/jwt`, { headers: { Authorization: forged } })).status).toBe(401);
    const noScope = jwtFor({ scope: 'items.write' });
    const scoped = await fetch(`${gateway}/api/jwt`, { headers: { Authorization: noScope } });
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toEqual({ message: 'Forbidden' });
    expect(issuer.jwksFetches()).toBe(1);
  });
});
