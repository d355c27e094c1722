import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { type DeliverySink, startDeliverySink } from '../../helpers/delivery-sink';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';

// What the fault suite's figures led to: Event invokes to a function at its concurrency limit were
// retried six times in lockstep (0.2 s … 6.4 s after the first try) and then dropped without a
// word — 4 of 30 delivered. Lambda keeps a throttled event and tries it again for up to 6 hours.

let dir: string;
let sink: DeliverySink;
let emulator: Emulator;
const logger = new MemoryLogger();

beforeAll(async () => {
  sink = await startDeliverySink();
  dir = await mkdtemp(join(tmpdir(), 'faasport-event-invokes-'));
  await copyFile(join(__dirname, '../../../fixtures/fault-suite/handler.js'), join(dir, 'handler.js'));
  await writeFile(
    join(dir, 'serverless.yml'),
    [
      'service: events',
      'provider:',
      '  name: faasport',
      '  runtime: nodejs24.x',
      '  environment:',
      `    SINK_URL: ${sink.url}`,
      'functions:',
      '  consumer:',
      '    handler: handler.consumer',
      '    reservedConcurrency: 1',
      '',
    ].join('\n'),
  );
  emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: new ProcessEngine(), logger });
});

afterAll(async () => {
  await emulator?.stop();
  await sink?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('Event invokes throttled for longer than a few seconds are all delivered, once each', async () => {
  const lambda = new LambdaClient({
    endpoint: emulator.urls.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  // One instance, half a second per event: the last of 16 runs ~8 s after it was accepted.
  const ids = Array.from({ length: 16 }, (_, index) => `event-${index}`);
  for (const id of ids) {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'events-dev-consumer',
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ id, delayMs: 500 })),
      }),
    );
    expect(out.StatusCode).toBe(202);
  }
  await eventually(
    () => sink.deliveries.size,
    (delivered) => delivered === ids.length,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  expect(ids.map((id) => sink.deliveries.get(id))).toEqual(ids.map(() => 1));
  expect(logger.lines.filter((line) => line.text.includes('dropped'))).toEqual([]);
  lambda.destroy();
}, 90_000);
