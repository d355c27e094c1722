import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { signJwt, testSigningKey } from '../../helpers/jwt';

// A serverless-offline project with a Cognito user pool authorizer on its REST routes: on main the
// authorizer was "not checked" and every request reached the function with no claims, so handlers
// reading requestContext.authorizer.claims failed. The pool's keys come from a saved JWKS file, as
// a user without access to Cognito from their machine sets it up.

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Notes42';
const key = testSigningKey('RS256');
let dir: string;
let emulator: Emulator;
let gateway: string;
const logger = new MemoryLogger();

const token = (claims: Record<string, unknown>) => {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(key, { sub: 'user-7', iss: ISSUER, iat: now - 5, exp: now + 600, ...claims });
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faasport-cognito-'));
  await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.jwk] }));
  await writeFile(
    join(dir, 'handler.js'),
    'exports.me = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer) });\n' +
      'exports.plain = async (event) => event;\n',
  );
  await writeFile(
    join(dir, 'serverless.yml'),
    [
      'service: notes',
      'provider:',
      '  name: aws',
      '  runtime: nodejs22.x',
      'custom:',
      '  faasport:',
      '    jwt:',
      '      jwks: jwks.json',
      'functions:',
      '  me:',
      '    handler: handler.me',
      '    events:',
      '      - http:',
      '          path: me',
      '          method: get',
      '          authorizer:',
      '            name: notesPool',
      '            type: COGNITO_USER_POOLS',
      '            arn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Notes42',
      '      - http:',
      '          path: notes',
      '          method: post',
      '          authorizer:',
      '            name: notesPool',
      '            type: COGNITO_USER_POOLS',
      '            arn: { "Fn::GetAtt": [NotesPool, Arn] }',
      '            scopes: [notes/write]',
      '  plain:',
      '    handler: handler.plain',
      '    events:',
      '      - http:',
      '          path: plain',
      '          method: post',
      '          integration: lambda',
      '          authorizer: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Notes42',
      '',
    ].join('\n'),
  );
  emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: new ProcessEngine(), logger });
  gateway = emulator.urls.gateway;
});

afterAll(async () => {
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('an ID token of the pool reaches the function with its claims; none, forged or expired get 401', async () => {
  const id = token({ token_use: 'id', aud: 'client-1', 'cognito:groups': ['editors', 'admins'] });
  const ok = await fetch(`${gateway}/dev/me`, { headers: { Authorization: id } });
  expect(ok.status).toBe(200);
  const authorizer = (await ok.json()) as { claims: Record<string, string> };
  expect(authorizer.claims).toMatchObject({
    sub: 'user-7',
    token_use: 'id',
    'cognito:groups': 'editors,admins',
    exp: expect.stringMatching(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/),
  });

  const none = await fetch(`${gateway}/dev/me`);
  expect([none.status, await none.json()]).toEqual([401, { message: 'Unauthorized' }]);
  const forged = `${id.slice(0, id.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
  expect((await fetch(`${gateway}/dev/me`, { headers: { Authorization: forged } })).status).toBe(401);
  const expired = token({ token_use: 'id', exp: Math.floor(Date.now() / 1000) - 1 });
  const late = await fetch(`${gateway}/dev/me`, { headers: { Authorization: expired } });
  expect([late.status, await late.json()]).toEqual([401, { message: 'The incoming token has expired' }]);

  // No "not checked" warning at start any more.
  expect(logger.lines.filter((line) => line.text.includes('not checked'))).toEqual([]);
});

test('with scopes and a pool known only once deployed: an access token with the scope passes', async () => {
  const write = token({ token_use: 'access', client_id: 'client-1', scope: 'openid notes/write' });
  const read = token({ token_use: 'access', client_id: 'client-1', scope: 'openid notes/read' });
  const post = (authorization: string) =>
    fetch(`${gateway}/dev/notes`, { method: 'POST', headers: { Authorization: `Bearer ${authorization}` } });
  expect((await post(write)).status).toBe(200);
  expect((await post(read)).status).toBe(401);
  expect((await post(token({ token_use: 'id' }))).status).toBe(401);
});

test('integration: lambda gets the caller as the default template gives it (cognitoPoolClaims.sub)', async () => {
  const id = token({ token_use: 'id', email: 'ada@example.com' });
  const response = await fetch(`${gateway}/dev/plain`, {
    method: 'POST',
    headers: { Authorization: id, 'content-type': 'application/json' },
    body: '{"title":"hello"}',
  });
  expect(response.status).toBe(200);
  const event = (await response.json()) as Record<string, unknown>;
  expect(event).toMatchObject({
    body: { title: 'hello' },
    cognitoPoolClaims: { sub: 'user-7' },
  });
});
