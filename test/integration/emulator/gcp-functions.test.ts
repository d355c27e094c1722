import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { cloudTraceContextOf, expectedGcsEtag, TRACEPARENT } from '../../unit/emulator/gcp-shapes/oracles';

const config = join(__dirname, '../../../fixtures/gcp-behaviours/serverless.yml');

// biome-ignore lint/suspicious/noExplicitAny: the echo is asserted field by field below
type Echo = { invocations: number; [key: string]: any };

/** The JSON line a CloudEvent function printed for the event with this id. */
function printedEvent(logger: MemoryLogger, id: string): Record<string, unknown> | undefined {
  for (const { text } of logger.lines) {
    const start = text.indexOf('{"received"');
    if (start < 0) continue;
    const printed = JSON.parse(text.slice(start)) as { event: Record<string, unknown> };
    if (printed.event.id === id) return printed.event;
  }
  return undefined;
}

describe.each(['process', 'docker'] as const)('GCP front-end on the %s engine', (engine) => {
  let emulator: Emulator;
  let base: string;
  const logger = new MemoryLogger();
  const url = (fn: string, rest = '') => `${base}/gcpb-dev-${fn}${rest}`;

  beforeAll(async () => {
    emulator = await startEmulator(config, { engine, gcpPort: 0, logger });
    base = emulator.urls.gcp;
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('HTTP function at /<name>: path, query, headers and status pass through; platform variables set', async () => {
    const response = await fetch(url('echo', '/items/42?status=201&tag=a&tag=b'), {
      method: 'PUT',
      headers: { 'X-Custom': 'yes', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-faasport-cold')).toBe('true');
    expect(Number(response.headers.get('x-faasport-init-ms'))).toBeGreaterThan(0);
    const echo = (await response.json()) as Echo;
    expect(echo).toMatchObject({
      invocations: 1,
      method: 'PUT',
      path: '/items/42',
      query: { status: '201', tag: ['a', 'b'] },
      rawBody: Buffer.from('{"a":1}').toString('base64'),
      env: {
        K_SERVICE: 'gcpb-dev-echo',
        K_CONFIGURATION: 'gcpb-dev-echo',
        FUNCTION_TARGET: 'echo',
        FUNCTION_SIGNATURE_TYPE: 'http',
        GREETING: 'hi',
      },
    });
    expect(echo.env.K_REVISION).toMatch(/^gcpb-dev-echo-00001-/);
    expect(Number(echo.env.PORT)).toBeGreaterThan(0);
    expect(echo.headers['x-custom']).toBe('yes');
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-cloud-trace-context']).toMatch(/^[0-9a-f]{32}\/\d+;o=1$/);
    // Cloud Run: the caller reached the function over https; W3C and legacy trace headers agree.
    expect(echo.headers['x-forwarded-proto']).toBe('https');
    expect(echo.headers.forwarded).toBe('for="127.0.0.1";proto=https');
    expect(echo.headers.traceparent).toMatch(TRACEPARENT);
    expect(echo.headers['x-cloud-trace-context']).toBe(cloudTraceContextOf(echo.headers.traceparent));

    const root = await fetch(url('echo'));
    expect(root.headers.get('x-faasport-cold')).toBe('false');
    expect(root.headers.get('x-faasport-instance')).toBe(response.headers.get('x-faasport-instance'));
    expect(root.headers.get('x-faasport-init-ms')).toBeNull();
    expect(((await root.json()) as Echo).path).toBe('/');
  });

  test("trace headers: a new trace per request, the caller's trace id kept when it sent one", async () => {
    const traced = async (headers: Record<string, string> = {}) =>
      ((await (await fetch(url('echo'), { headers })).json()) as Echo).headers as Record<string, string>;
    const [a, b] = [await traced(), await traced()];
    expect(a.traceparent).toMatch(TRACEPARENT);
    expect(b.traceparent).toMatch(TRACEPARENT);
    expect(a.traceparent?.slice(3, 35)).not.toBe(b.traceparent?.slice(3, 35));
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = await traced({ traceparent: sent });
    expect(kept.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(kept.traceparent).not.toBe(sent);
    expect(kept['x-cloud-trace-context']).toBe(cloudTraceContextOf(kept.traceparent ?? ''));
  });

  test('binary bodies travel byte for byte both ways', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 0x0d, 0x0a]);
    const response = await fetch(url('binary'), {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(bytes).reverse());
  });

  test('cold → warm → recycle → cold, over the recycle endpoint', async () => {
    const first = await fetch(url('echo'));
    await first.arrayBuffer();
    const warm = (await (await fetch(url('echo'))).json()) as Echo;
    const recycled = await fetch(`${base}/__faasport/functions/gcpb-dev-echo/recycle`, { method: 'POST' });
    expect(recycled.status).toBe(200);
    const cold = await fetch(url('echo'));
    expect(cold.headers.get('x-faasport-cold')).toBe('true');
    expect(((await cold.json()) as Echo).invocations).toBe(1);
    expect(warm.invocations).toBeGreaterThan(1);
  });

  test('one request per instance: at maxInstances the next request queues, then 429 past the bound', async () => {
    // slow: maxInstances 1, queueTimeoutSeconds 1, timeout 2 s.
    const long = fetch(url('slow', '?ms=1600'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const queued = fetch(url('slow', '?ms=0'));
    const first = await long;
    expect(first.status).toBe(200);
    const throttled = await queued;
    expect(throttled.status).toBe(429);
    expect(await throttled.text()).toContain('no available instance');
    // A request that fits in the queue waits and is served by the same instance.
    const a = fetch(url('slow', '?ms=300'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const b = await fetch(url('slow', '?ms=0'));
    expect(b.status).toBe(200);
    expect((await a).headers.get('x-faasport-instance')).toBe(b.headers.get('x-faasport-instance'));
  });

  test('past the timeout: 504 at once and the instance is replaced', async () => {
    const before = await fetch(url('slow', '?ms=0'));
    await before.arrayBuffer();
    const timedOut = await fetch(url('slow', '?ms=5000'));
    expect(timedOut.status).toBe(504);
    const after = await fetch(url('slow', '?ms=0'));
    expect(after.status).toBe(200);
    expect(after.headers.get('x-faasport-cold')).toBe('true');
    expect(after.headers.get('x-faasport-instance')).not.toBe(before.headers.get('x-faasport-instance'));
    expect(logger.lines.some((l) => l.text.includes('maximum request timeout (2 s)'))).toBe(true);
  });

  test('an error inside a request: 500 with X-Google-Status crash, the instance keeps serving', async () => {
    const healthy = await fetch(url('crash'));
    const instance = healthy.headers.get('x-faasport-instance');
    await healthy.arrayBuffer();
    const failed = await fetch(url('crash', '?crash=handled'));
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-google-status')).toBe('crash');
    const next = await fetch(url('crash'));
    expect(next.headers.get('x-faasport-cold')).toBe('false');
    expect(next.headers.get('x-faasport-instance')).toBe(instance);
    expect(((await next.json()) as Echo).invocations).toBeGreaterThan(2);
  });

  test('an uncaught exception: 500 with X-Google-Status crash, exit(16), the instance is replaced', async () => {
    const healthy = await fetch(url('crash'));
    const { pid } = (await healthy.json()) as Echo;
    const crashed = await fetch(url('crash', '?crash=uncaught'));
    expect(crashed.status).toBe(500);
    expect(crashed.headers.get('x-google-status')).toBe('crash');
    const next = await fetch(url('crash'));
    expect(next.status).toBe(200);
    expect(next.headers.get('x-faasport-cold')).toBe('true');
    const body = (await next.json()) as Echo;
    expect(body.invocations).toBe(1);
    if (engine === 'process') expect(body.pid).not.toBe(pid);
    await vi.waitFor(() =>
      expect(
        logger.lines.some(
          (l) => l.source === 'gcpb-dev-crash' && l.text.endsWith('Container called exit(16).'),
        ),
      ).toBe(true),
    );
  });

  test('Pub/Sub publish: a binary-mode messagePublished CloudEvent to every subscriber', async () => {
    const data = Buffer.from(JSON.stringify({ order: 7 }));
    const response = await fetch(`${base}/v1/projects/faasport-test/topics/orders:publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ data: data.toString('base64'), attributes: { kind: 'test' } }] }),
    });
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as {
      messageIds: string[];
      deliveries: { function: string; status: number }[];
    };
    expect(outcome.messageIds).toHaveLength(1);
    expect(outcome.messageIds[0]).toMatch(/^\d{16}$/);
    expect(outcome.deliveries).toEqual([{ function: 'gcpb-dev-onMessage', status: 204, body: '' }]);
    // Instance output may arrive just after the response (docker streams it): wait for it.
    const event = await vi.waitFor(() => {
      const found = printedEvent(logger, outcome.messageIds[0] ?? '');
      if (!found) throw new Error('not logged yet');
      return found;
    });
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'google.cloud.pubsub.topic.v1.messagePublished',
      source: '//pubsub.googleapis.com/projects/faasport-test/topics/orders',
      data: {
        subscription: expect.stringMatching(/^projects\/faasport-test\/subscriptions\//),
        message: {
          data: data.toString('base64'),
          attributes: { kind: 'test' },
          messageId: outcome.messageIds[0],
        },
      },
    });
    const message = (event.data as { message: Record<string, string> }).message;
    expect(message.publishTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The push payload spells the id and the time both ways.
    expect(message.message_id).toBe(outcome.messageIds[0]);
    expect(message.publish_time).toBe(message.publishTime);
  });

  test('Storage: an upload fires finalized with the object metadata (numbers as strings)', async () => {
    const content = Buffer.from('hello storage');
    const response = await fetch(`${base}/__faasport/gcp/buckets/uploads/objects/dir/a%20b.txt`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: content,
    });
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as { deliveries: { function: string; status: number }[] };
    expect(outcome.deliveries).toEqual([{ function: 'gcpb-dev-onUpload', status: 204, body: '' }]);
    const line = await vi.waitFor(() => {
      const found = logger.lines.find((l) => l.text.includes('"received":"storage"'));
      if (!found) throw new Error('not logged yet');
      return found;
    });
    const event = JSON.parse(line?.text.slice(line.text.indexOf('{')) ?? '{}').event;
    expect(event).toMatchObject({
      type: 'google.cloud.storage.object.v1.finalized',
      source: '//storage.googleapis.com/projects/_/buckets/uploads',
      subject: 'objects/dir/a b.txt',
      data: {
        kind: 'storage#object',
        bucket: 'uploads',
        name: 'dir/a b.txt',
        contentType: 'text/plain',
        size: String(content.length),
        metageneration: '1',
        storageClass: 'STANDARD',
        md5Hash: 'Kd6jcnMlrse5wgK+kEMccQ==',
      },
    });
    expect(event.data.id).toBe(`uploads/dir/a b.txt/${event.data.generation}`);
    expect(event.data.generation).toMatch(/^\d+$/);
    expect(event.data.etag).toBe(expectedGcsEtag(event.data.generation, event.data.metageneration));
  });

  test('logs read like Cloud Run: a startup probe line and request lines', () => {
    const texts = logger.lines.filter((l) => l.source === 'gcpb-dev-echo').map((l) => l.text);
    expect(texts.some((t) => /Default STARTUP TCP probe succeeded after \d+ ms/.test(t))).toBe(true);
    expect(
      texts.some((t) => /^\S+Z INFO +PUT 201 \d+(\.\d)? (B|KiB) \d+ ms \/gcpb-dev-echo\/items\/42$/.test(t)),
    ).toBe(true);
  });
});
