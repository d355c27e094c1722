import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

const config = join(__dirname, '../../../fixtures/lambda-behaviours/serverless.yml');

/** The fixture's handlers answer `{ calls, event }`; `event` is whatever the gateway built. */
// biome-ignore lint/suspicious/noExplicitAny: the event is asserted field by field below
type Echo = { calls: number; event: any };
const echo = async (response: Response): Promise<Echo> => (await response.json()) as Echo;

describe.each(['process', 'docker'] as const)('AWS front-ends on the %s engine', (engine) => {
  let emulator: Emulator;
  let gateway: string;
  let lambda: LambdaClient;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    emulator = await startEmulator(config, { engine, logger });
    gateway = emulator.urls.gateway;
    lambda = new LambdaClient({
      endpoint: emulator.urls.lambda,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    lambda?.destroy();
    await emulator?.stop();
  });

  test('REST (payload 1.0): stage prefix, path parameters, multi-value headers and query, response mapping', async () => {
    const response = await fetch(`${gateway}/dev/items/42?tag=a&tag=b`, { headers: { 'X-Custom': 'yes' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-single')).toBe('multi-wins, one'); // both maps merge
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-faasport-cold')).toBe('true');
    expect(Number(response.headers.get('x-faasport-init-ms'))).toBeGreaterThan(0);
    const { event } = await echo(response);
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      httpMethod: 'GET',
      pathParameters: { id: '42' },
      queryStringParameters: { tag: 'b' },
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      stageVariables: null,
      isBase64Encoded: false,
      body: null,
      requestContext: { stage: 'dev', path: '/dev/items/42', resourcePath: '/items/{id}', httpMethod: 'GET' },
    });
    expect(event.headers['X-Custom']).toBe('yes');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['yes']);

    const warm = await fetch(`${gateway}/dev/items/43`);
    expect(warm.headers.get('x-faasport-cold')).toBe('false');
    expect(warm.headers.get('x-faasport-instance')).toBe(response.headers.get('x-faasport-instance'));
    expect(warm.headers.get('x-faasport-init-ms')).toBeNull();
  });

  test('REST: greedy path parameters and POST bodies', async () => {
    const files = await echo(await fetch(`${gateway}/dev/files/a/b/c.txt`, { method: 'DELETE' }));
    expect(files.event.pathParameters).toEqual({ path: 'a/b/c.txt' });
    expect(files.event.httpMethod).toBe('DELETE');
    const posted = await echo(
      await fetch(`${gateway}/dev/items`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(posted.event.body).toBe('{"a":1}');
  });

  test('REST: a malformed proxy response is a 502, an unknown route a 404', async () => {
    const malformed = await fetch(`${gateway}/dev/malformed`);
    expect(malformed.status).toBe(502);
    expect(await malformed.json()).toEqual({ message: 'Internal server error' });
    expect((await fetch(`${gateway}/dev/nothing-here`)).status).toBe(404);
  });

  test('HTTP API (payload 2.0): lowercased headers, comma-joined query, cookies, shorthand response', async () => {
    const response = await fetch(`${gateway}/v2/items/7?a=1&a=2`, {
      headers: { Cookie: 'c1=v1; c2=v2', 'X-Two': 'x' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const { event } = await echo(response);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v2/items/{id}',
      rawPath: '/v2/items/7',
      rawQueryString: 'a=1&a=2',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,2' },
      pathParameters: { id: '7' },
      requestContext: {
        http: { method: 'GET', path: '/v2/items/7' },
        stage: '$default',
        routeKey: 'GET /v2/items/{id}',
      },
      isBase64Encoded: false,
    });
    expect(event.headers['x-two']).toBe('x');
    expect(event.multiValueHeaders).toBeUndefined();
  });

  test('HTTP API: binary bodies travel base64 both ways, cookies become set-cookie headers', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const response = await fetch(`${gateway}/v2/echo`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(201);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
  });

  test('throttled through API Gateway is a 500; through the Invoke API a 429 TooManyRequestsException', async () => {
    const slow = Array.from({ length: 3 }, () => fetch(`${gateway}/v2/items/1?sleepMs=600`));
    const statuses = (await Promise.all(slow)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 500, 500]);

    const busy = fetch(`${gateway}/v2/items/1?sleepMs=600`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const throttled = await fetch(
      `${emulator.urls.lambda}/2015-03-31/functions/behaviours-dev-httpApi/invocations`,
      { method: 'POST', body: '{}' },
    );
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await throttled.json()).toMatchObject({
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      Type: 'User',
    });
    await busy;
  });

  test('function URL under /@url/<function>', async () => {
    const response = await fetch(`${gateway}/@url/direct/hello?x=1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ functionName: 'behaviours-dev-direct' });
  });

  test('the Invoke API through @aws-sdk/client-lambda: RequestResponse with Tail logs, function errors, Event, DryRun, 404', async () => {
    const ok = await lambda.send(
      new InvokeCommand({
        FunctionName: 'behaviours-dev-direct',
        Payload: Buffer.from('{"echo":"sdk"}'),
        LogType: 'Tail',
      }),
    );
    expect(ok.StatusCode).toBe(200);
    expect(ok.ExecutedVersion).toBe('$LATEST');
    expect(ok.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(ok.Payload ?? []).toString())).toMatchObject({
      echo: 'sdk',
      functionName: 'behaviours-dev-direct',
    });
    const log = Buffer.from(ok.LogResult ?? '', 'base64').toString();
    expect(log).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST/);
    expect(log).toMatch(/REPORT RequestId: .*Duration: .* ms/);
    // Even a request that ends before any memory sample reports what the instance used.
    expect(log).toMatch(/Max Memory Used: [1-9]\d* MB/);

    const failed = await lambda.send(
      new InvokeCommand({ FunctionName: 'behaviours-dev-direct', Payload: Buffer.from('{"fail":"nope"}') }),
    );
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload ?? []).toString())).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'nope',
    });

    const event = await lambda.send(
      new InvokeCommand({
        FunctionName: 'behaviours-dev-direct',
        InvocationType: 'Event',
        Payload: Buffer.from('{}'),
      }),
    );
    expect(event.StatusCode).toBe(202);
    const dry = await lambda.send(
      new InvokeCommand({ FunctionName: 'behaviours-dev-direct', InvocationType: 'DryRun' }),
    );
    expect(dry.StatusCode).toBe(204);

    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  test('recycle endpoint makes the next request cold', async () => {
    await fetch(`${gateway}/dev/items/1`);
    // Another site's page (a cross-origin form POST) cannot drive it; nothing is recycled.
    const foreign = await fetch(`${gateway}/__faasport/functions/behaviours-dev-rest/recycle`, {
      method: 'POST',
      headers: { origin: 'https://attacker.example', 'content-type': 'text/plain' },
    });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${gateway}/dev/items/1`)).headers.get('x-faasport-cold')).toBe('false');
    const recycled = await fetch(`${gateway}/__faasport/functions/behaviours-dev-rest/recycle`, {
      method: 'POST',
    });
    expect(recycled.status).toBe(200);
    const next = await fetch(`${gateway}/dev/items/1`);
    expect(next.headers.get('x-faasport-cold')).toBe('true');
  });
});
