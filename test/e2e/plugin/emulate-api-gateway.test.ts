import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signJwt, startTestIssuer, testSigningKey } from '../../helpers/jwt';
import { freePort } from '../../helpers/ports';
import {
  FRAMEWORKS,
  repoRoot,
  type ServiceDir,
  serviceDir,
  useScratchDir,
} from '../../helpers/sls/framework-cli';
import { bannerPrinted, startEmulating } from './emulate-process';

/** The API Gateway fixture as a user's project: the framework reads and validates its settings. */
const fixture = join(repoRoot, 'fixtures', 'apigw-features');
const yml = `configValidationMode: error\nplugins:\n  - serverless-faasport\n${readFileSync(join(fixture, 'serverless.yml'), 'utf8')}`;

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s emulate with API Gateway settings', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  const key = testSigningKey('ES256');
  let issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  beforeAll(async () => {
    issuer = await startTestIssuer([key]);
  });
  afterAll(async () => {
    for (const dir of dirs) dir.remove();
    await issuer?.close();
  });

  test('authorizers, API keys, lambda integration and CORS from serverless.yml', async () => {
    const service = serviceDir(yml);
    dirs.push(service);
    copyFileSync(join(fixture, 'handlers.js'), join(service.dir, 'handlers.js'));
    copyFileSync(join(fixture, 'package.json'), join(service.dir, 'package.json'));
    const [port, lambdaPort] = await Promise.all([freePort(), freePort()]);
    const emulating = startEmulating(
      cli(),
      service.dir,
      ['emulate', '--engine', 'process', '--port', String(port), '--lambda-port', String(lambdaPort)],
      scratch.dir,
      { FAASPORT_TEST_ISSUER: issuer.url },
    );
    const gateway = `http://127.0.0.1:${port}`;
    try {
      await bannerPrinted(emulating);
      expect(emulating.output()).toContain('API key local-key: local-test-key-0123456789abcdef');

      expect(
        (await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Bearer deny' } })).status,
      ).toBe(403);
      const allowed = await fetch(`${gateway}/dev/secure`, { headers: { Authorization: 'Bearer zoe' } });
      expect(allowed.status, emulating.output()).toBe(200);
      const { event } = (await allowed.json()) as {
        event: { requestContext: { authorizer: Record<string, unknown> } };
      };
      expect(event.requestContext.authorizer).toMatchObject({ principalId: 'user-zoe', team: 'blue' });

      expect((await fetch(`${gateway}/dev/private`)).status).toBe(403);

      const legacy = await fetch(`${gateway}/dev/legacy/9`, {
        method: 'POST',
        body: '{"name":"n"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(await legacy.json()).toEqual({ id: '9', name: 'n', mapped: true });

      const preflight = await fetch(`${gateway}/api/open`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');

      const now = Math.floor(Date.now() / 1000);
      const token = signJwt(key, {
        iss: issuer.url,
        aud: 'faasport-tests',
        exp: now + 60,
        scope: 'items.read',
      });
      expect(
        (await fetch(`${gateway}/api/jwt`, { headers: { Authorization: `Bearer ${token}` } })).status,
      ).toBe(200);

      // A Cognito user pool authorizer whose pool is a CloudFormation reference, keys from the
      // saved JWKS (`custom.faasport.jwt.jwks.pool`).
      expect((await fetch(`${gateway}/dev/pool`)).status).toBe(401);
      const idToken = signJwt(key, {
        iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Fixture',
        sub: 'user-ada',
        token_use: 'id',
        'cognito:groups': ['admins'],
        exp: now + 60,
      });
      const pooled = await fetch(`${gateway}/dev/pool`, { headers: { Authorization: idToken } });
      expect(pooled.status, emulating.output()).toBe(200);
      const pooledEvent = (await pooled.json()) as {
        event: { requestContext: { authorizer: { claims: Record<string, string> } } };
      };
      expect(pooledEvent.event.requestContext.authorizer.claims).toMatchObject({
        sub: 'user-ada',
        'cognito:groups': 'admins',
      });
    } finally {
      await emulating.stop();
    }
  });
});
