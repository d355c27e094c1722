import { readFile as readFileCallback } from 'node:fs';
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

// What the fault suite (test/faults/) led to. Event invokes to a function at its concurrency limit
// were retried six times in lockstep (0.2 s … 6.4 s after the first try) and then dropped without
// a word — 4 of 16 delivered; Lambda keeps a throttled event and tries it again for up to 6 hours.
// And a request sent on a keep-alive connection while the emulator was too busy to notice its
// 5-second idle deadline had passed was dropped ("socket hang up").

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
      '  healthy:',
      '    handler: handler.healthy',
      '    events: [{ httpApi: GET /healthy }]',
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

test('a keep-alive connection reused after a busy spell carries the request (the idle deadline is 65 s)', async () => {
  const lambda = new LambdaClient({
    endpoint: emulator.urls.lambda,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const invoke = () => lambda.send(new InvokeCommand({ FunctionName: 'events-dev-healthy', Payload: '{}' }));
  expect((await invoke()).StatusCode).toBe(200);
  // The connection idles 3.8 s; then this process is busy for 3 s inside an I/O callback — past
  // Node's default 5 s (+1 s) idle deadline — and sends the next request on it the moment it is free.
  await new Promise((resolve) => setTimeout(resolve, 3800));
  const next = await new Promise<Promise<unknown>>((resolve) =>
    readFileCallback(__filename, () => {
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        // busy, as a loaded machine is
      }
      resolve(invoke());
    }),
  );
  expect(await next).toMatchObject({ StatusCode: 200 });
  lambda.destroy();

  // The HTTP front doors say so too, so that clients close idle connections first.
  const response = await fetch(`${emulator.urls.gateway}/healthy`);
  expect(response.headers.get('keep-alive')).toBe('timeout=65');
  await response.text();
}, 30_000);
