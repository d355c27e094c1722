import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';

// Asynchronous invocations as Lambda runs them: a function error is retried maximumRetryAttempts
// times (Lambda waits 1 and 2 minutes; custom.faasport.asyncRetryBaseDelaySeconds shortens that
// here), and the outcome goes to the onSuccess / onFailure destination as an invocation record.
// On main an Event invoke that failed was run once and forgotten; destinations were ignored.

let dir: string;
let records: string;
let emulator: Emulator;
let lambda: LambdaClient;
const logger = new MemoryLogger();

const handlers = `
const fs = require('node:fs');
const path = require('node:path');
exports.flaky = async (event, context) => {
  // Fails the first two runs of each event, then succeeds.
  const mark = path.join(process.env.RECORDS_DIR, 'attempts-' + event.id);
  const attempt = (fs.existsSync(mark) ? Number(fs.readFileSync(mark, 'utf8')) : 0) + 1;
  fs.writeFileSync(mark, String(attempt));
  if (attempt < 3) throw new Error('not yet (' + attempt + ')');
  return { done: event.id, attempt, requestId: context.awsRequestId };
};
exports.broken = async () => { throw new Error('boom'); };
exports.recorder = async (record) => {
  const name = 'record-' + record.requestContext.condition + '-' + record.requestPayload.id + '.json';
  fs.writeFileSync(path.join(process.env.RECORDS_DIR, name), JSON.stringify(record));
  return 'kept';
};
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faasport-async-'));
  records = join(dir, 'records');
  await writeFile(join(dir, 'handler.js'), handlers);
  await mkdir(records);
  await writeFile(
    join(dir, 'serverless.yml'),
    [
      'service: async',
      'provider:',
      '  name: aws',
      '  runtime: nodejs22.x',
      '  environment:',
      `    RECORDS_DIR: ${records}`,
      'custom:',
      '  faasport:',
      '    asyncRetryBaseDelaySeconds: 0.2',
      'functions:',
      '  flaky:',
      '    handler: handler.flaky',
      '    destinations: { onSuccess: recorder, onFailure: recorder }',
      '  broken:',
      '    handler: handler.broken',
      '    maximumRetryAttempts: 1',
      '    destinations:',
      '      onFailure: arn:aws:lambda:us-east-1:123456789012:function:async-dev-recorder',
      '  once:',
      '    handler: handler.broken',
      '    maximumRetryAttempts: 0',
      '    destinations:',
      '      onFailure: arn:aws:sqs:us-east-1:123456789012:dead-letters',
      '  recorder:',
      '    handler: handler.recorder',
      '',
    ].join('\n'),
  );
  emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: new ProcessEngine(), logger });
  lambda = new LambdaClient({
    endpoint: emulator.urls.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  lambda?.destroy();
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function sendEvent(functionName: string, id: string): Promise<string> {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: JSON.stringify({ id }),
    }),
  );
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId ?? '';
}

async function recordOf(condition: string, id: string): Promise<Record<string, unknown>> {
  const name = `record-${condition}-${id}.json`;
  await eventually(
    () => readdir(records),
    (files) => files.includes(name),
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return JSON.parse(await readFile(join(records, name), 'utf8')) as Record<string, unknown>;
}

const starts = (source: string) =>
  logger.lines.filter((line) => line.source === source && line.text.startsWith('START ')).length;

describe('asynchronous invocations (Event invokes)', () => {
  test('a function error is retried (twice by default); success goes to onSuccess with the record', async () => {
    const requestId = await sendEvent('async-dev-flaky', 'f1');
    const record = await recordOf('Success', 'f1');
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestContext: {
        requestId,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:async-dev-flaky:$LATEST',
        condition: 'Success',
        approximateInvokeCount: 3,
      },
      requestPayload: { id: 'f1' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      // The handler's context.awsRequestId is the id the 202 gave, on the third attempt too.
      responsePayload: { done: 'f1', attempt: 3, requestId },
    });
    const retries = logger.lines.filter(
      (line) => line.source === 'async-dev-flaky' && line.text.includes('retry'),
    );
    expect(retries.map((line) => line.text.replace(/.*failed/, 'failed'))).toEqual([
      'failed (Error); retry 1 of 2 in 200 ms',
      'failed (Error); retry 2 of 2 in 400 ms',
    ]);
  });

  test('retries exhausted: the onFailure function (by ARN) gets the error as responsePayload', async () => {
    await sendEvent('async-dev-broken', 'b1');
    const record = await recordOf('RetriesExhausted', 'b1');
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { id: 'b1' },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom' },
    });
    expect(starts('async-dev-broken')).toBe(2);
  });

  test('maximumRetryAttempts: 0 runs once; a destination outside the service is printed, not lost', async () => {
    await sendEvent('async-dev-once', 'o1');
    const printed = await eventually(
      async () => logger.lines.filter((line) => line.text.includes('onFailure destination')),
      (lines) => lines.length > 0,
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(printed[0]?.text).toContain(
      'onFailure destination arn:aws:sqs:us-east-1:123456789012:dead-letters is not a function of this service',
    );
    const record = JSON.parse(printed[0]?.text.replace(/^.*the record: /, '') ?? '{}') as Record<
      string,
      unknown
    >;
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: { id: 'o1' },
    });
    expect(starts('async-dev-once')).toBe(1);
  });
});
