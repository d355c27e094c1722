import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

// What a user saw: a 7 MB request through an API Gateway route reached the handler, though
// Lambda takes at most 6 MB synchronously; Cloud Functions and Azure Functions refused bodies
// above API Gateway's 10 MB. Each front end now takes what its cloud takes, and answers the rest
// as its cloud does.

const MiB = 1024 * 1024;
const config = join(__dirname, '../../../fixtures/payload-limits/serverless.yml');

let emulator: Emulator;
const logger = new MemoryLogger();
const logs = () => logger.lines.map((line) => `[${line.source}] ${line.text}`).join('\n');
beforeAll(async () => {
  emulator = await startEmulator(config, {
    engine: new ProcessEngine(),
    gcpPort: 0,
    azurePort: 0,
    logger,
  });
});
afterAll(() => emulator?.stop());

const post = (url: string, bytes: number) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(bytes, 'a') });

describe('AWS: Lambda takes 6 MB synchronously, whatever the front end', () => {
  test.each([
    ['API Gateway REST', () => `${emulator.urls.gateway}/dev/rest/size`, { message: 'Request Too Long' }],
    ['HTTP API', () => `${emulator.urls.gateway}/size`, { message: 'Request Entity Too Large' }],
    [
      'a function URL',
      () => `${emulator.urls.gateway}/@url/awsSize/size`,
      { Message: 'Request Entity Too Large' },
    ],
  ])('%s: 5 MB reaches the handler, 7 MB is refused with 413', async (_name, url, refusal) => {
    const small = await post(url(), 5 * MiB);
    expect(small.status).toBe(200);
    expect(await small.json()).toEqual({ bytes: 5 * MiB });
    const large = await post(url(), 7 * MiB);
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual(refusal);
  });

  test('a response over 6 MB: REST answers 502, the HTTP API 500, as for any function error', async () => {
    const rest = await fetch(`${emulator.urls.gateway}/dev/rest/size?reply=${7 * MiB}`, { method: 'POST' });
    expect(rest.status).toBe(502);
    expect(await rest.json()).toEqual({ message: 'Internal server error' });
    const httpApi = await fetch(`${emulator.urls.gateway}/size?reply=${7 * MiB}`, { method: 'POST' });
    expect(httpApi.status).toBe(500);
    expect(await httpApi.json()).toEqual({ message: 'Internal Server Error' });
  });
});

describe('Cloud Functions gen2 takes 32 MiB requests and responses', () => {
  test('12 MB reaches the function, 32 MiB + 1 is refused with 413', async () => {
    const url = `${emulator.urls.gcp}/limits-dev-gcpSize`;
    const large = await post(url, 12 * MiB);
    expect(large.status, logs()).toBe(200);
    expect(await large.json()).toEqual({ bytes: 12 * MiB });
    const over = await post(url, 32 * MiB + 1);
    expect(over.status).toBe(413);
  });

  test('a response over 32 MiB is answered 500, not passed on', async () => {
    const response = await fetch(`${emulator.urls.gcp}/limits-dev-gcpSize?reply=${33 * MiB}`);
    expect(response.status).toBe(500);
    expect((await response.arrayBuffer()).byteLength).toBeLessThan(1024);
  });
});

describe('Azure Functions takes 100 MB requests', () => {
  test('12 MB reaches the function, 100 MB + 1 is refused with 413', async () => {
    const url = `${emulator.urls.azure}/api/size`;
    const large = await post(url, 12 * MiB);
    expect(large.status).toBe(200);
    expect(await large.json()).toEqual({ bytes: 12 * MiB });
    const over = await post(url, 100 * MiB + 1);
    expect(over.status).toBe(413);
  }, 60_000);
});

describe('the Lambda Invoke API, through the AWS SDK', () => {
  const client = () =>
    new LambdaClient({
      region: 'eu-west-1',
      endpoint: emulator.urls.lambda,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  const FunctionName = 'limits-dev-awsSize';

  test('RequestResponse over 6 MB: 413 RequestTooLargeException; Event over 1 MB: 413 RequestEntityTooLargeException', async () => {
    const lambda = client();
    const big = (bytes: number) => Buffer.from(JSON.stringify({ body: 'a'.repeat(bytes) }));
    await expect(
      lambda.send(new InvokeCommand({ FunctionName, Payload: big(7 * MiB) })),
    ).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 },
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName, InvocationType: 'Event', Payload: big(2 * MiB) })),
    ).rejects.toMatchObject({
      name: 'RequestEntityTooLargeException',
      message: expect.stringMatching(
        /byte payload is too large for the Event invocation type \(limit 1048576 bytes\)/,
      ),
      $metadata: { httpStatusCode: 413 },
    });
    lambda.destroy();
  });

  test('a response over 6 MB: 200 with FunctionError Unhandled and Function.ResponseSizeTooLarge', async () => {
    const lambda = client();
    const answer = await lambda.send(
      new InvokeCommand({
        FunctionName,
        Payload: Buffer.from(JSON.stringify({ queryStringParameters: { reply: String(7 * MiB) } })),
      }),
    );
    lambda.destroy();
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(answer.Payload ?? []).toString())).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });
});
