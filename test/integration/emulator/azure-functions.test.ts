import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { HOST_TIME, TRACEPARENT } from '../../unit/emulator/azure-shapes/host-values';

const config = join(__dirname, '../../../fixtures/azure-behaviours/serverless.yml');

// biome-ignore lint/suspicious/noExplicitAny: the echo is asserted field by field below
type Echo = { invocations: number; [key: string]: any };

/** Every JSON line a function logged with `{"received": kind, …}`. */
function received(logger: MemoryLogger, kind: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const { text } of logger.lines) {
    const start = text.indexOf(`{"received":"${kind}"`);
    if (start >= 0) found.push(JSON.parse(text.slice(start)) as Record<string, unknown>);
  }
  return found;
}

describe.each(['process', 'docker'] as const)('Azure front-end on the %s engine', (engine) => {
  let emulator: Emulator;
  let base: string;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    emulator = await startEmulator(config, { engine, azurePort: 0, logger });
    base = emulator.urls.azure;
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('HTTP under /api/<route>: route parameters, query, headers, status, cookies; authLevel not enforced', async () => {
    // The runOnStartup timer started the host already: start from a fresh one.
    emulator.recycle('azb-dev-main');
    const response = await fetch(`${base}/api/items/42?status=201&tag=a`, {
      method: 'PUT',
      headers: { 'X-Custom': 'yes', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.getSetCookie()).toEqual(['a=1; path=/', 'b=2; httponly']);
    expect(response.headers.get('x-faasport-cold')).toBe('true');
    expect(Number(response.headers.get('x-faasport-init-ms'))).toBeGreaterThan(0);
    const echo = (await response.json()) as Echo;
    expect(echo).toMatchObject({
      invocations: 1,
      method: 'PUT',
      params: { id: '42' },
      query: { status: '201', tag: 'a' },
      body: Buffer.from('{"a":1}').toString('base64'),
      functionName: 'echo',
      greeting: 'hi',
    });
    expect(new URL(echo.url).pathname).toBe('/api/items/42');
    expect(echo.headers['x-custom']).toBe('yes');
    expect(echo.invocationId).toMatch(/^[0-9a-f-]{36}$/);

    const optional = await fetch(`${base}/api/items`);
    expect(optional.headers.get('x-faasport-cold')).toBe('false');
    expect(optional.headers.get('x-faasport-instance')).toBe(response.headers.get('x-faasport-instance'));
    expect(((await optional.json()) as Echo).params).toEqual({});
  });

  test('catch-all and constrained parameters, default route and methods, method mismatch → 404', async () => {
    const files = (await (await fetch(`${base}/api/files/a/b/c.txt`)).json()) as Echo;
    expect(files.params).toEqual({ rest: 'a/b/c.txt' });
    expect((await fetch(`${base}/api/typed/12`)).status).toBe(200);
    expect((await fetch(`${base}/api/typed/abc`)).status).toBe(404);
    const plain = await fetch(`${base}/api/plain`, { method: 'POST', body: 'x' });
    expect(plain.status).toBe(200);
    expect((await fetch(`${base}/api/plain`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/api/files/x`, { method: 'POST' })).status).toBe(404);
  });

  test('binary bodies travel byte for byte both ways', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 0x0d, 0x0a]);
    const response = await fetch(`${base}/api/binary`, { method: 'POST', body: bytes });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(bytes).reverse());
  });

  test('a handler that throws: 500, the host keeps serving', async () => {
    const before = await fetch(`${base}/api/plain`);
    await before.arrayBuffer();
    const failed = await fetch(`${base}/api/fails`);
    expect(failed.status).toBe(500);
    const after = await fetch(`${base}/api/plain`);
    expect(after.headers.get('x-faasport-instance')).toBe(before.headers.get('x-faasport-instance'));
    expect(
      logger.lines.some((l) =>
        /Executed 'Functions\.fails' \(Failed, Id=[0-9a-f-]{36}, Duration=\d+ms\)$/.test(l.text),
      ),
    ).toBe(true);
  });

  test('cold → warm → recycle → cold on the app (one host, module state kept while warm)', async () => {
    await (await fetch(`${base}/api/plain`)).arrayBuffer();
    const warm = await fetch(`${base}/api/plain`);
    expect(warm.headers.get('x-faasport-cold')).toBe('false');
    expect(
      (await fetch(`${base}/__faasport/functions/azb-dev-main/recycle`, { method: 'POST' })).status,
    ).toBe(200);
    const cold = await fetch(`${base}/api/plain`);
    expect(cold.headers.get('x-faasport-cold')).toBe('true');
    expect(((await cold.json()) as Echo).invocations).toBe(1);
  });

  test('queue trigger: message and metadata; a failing message is retried 5 times, then poison', async () => {
    const ok = await fetch(`${base}/__faasport/azure/queues/orders/messages`, {
      method: 'POST',
      body: '{"order":7}',
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { deliveries: unknown[] }).deliveries).toEqual([
      { app: 'azb-dev-main', function: 'onQueue', outcome: 'succeeded', attempts: 1 },
    ]);
    // Instance output may arrive just after the response (docker streams it): wait for it.
    const seen = await vi.waitFor(() => {
      const found = received(logger, 'queue').find((r) => (r.message as { order?: number }).order === 7);
      if (!found) throw new Error('not logged yet');
      return found;
    });
    // The JSON message's properties are trigger metadata too (binding expressions such as {order}).
    expect(seen?.metadata).toMatchObject({ dequeueCount: 1, queueTrigger: { order: 7 }, order: 7 });
    const metadata = seen?.metadata as Record<string, string>;
    expect(metadata.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(metadata.popReceipt).toBeTruthy();
    for (const key of ['insertionTime', 'expirationTime', 'nextVisibleTime'])
      expect(metadata[key]).toMatch(HOST_TIME);

    const text = await fetch(`${base}/__faasport/azure/queues/orders/messages`, {
      method: 'POST',
      body: 'plain words',
    });
    expect(text.status).toBe(200);
    await vi.waitFor(() =>
      expect(received(logger, 'queue').some((r) => r.message === 'plain words')).toBe(true),
    );

    const failing = await fetch(`${base}/__faasport/azure/queues/orders/messages`, {
      method: 'POST',
      body: '{"fail":true}',
    });
    expect(((await failing.json()) as { deliveries: unknown[] }).deliveries).toEqual([
      expect.objectContaining({ function: 'onQueue', outcome: 'failed', attempts: 5 }),
    ]);
    const attempts = () =>
      received(logger, 'queue')
        .filter((r) => (r.message as { fail?: boolean }).fail)
        .map((r) => (r.metadata as { dequeueCount: number }).dequeueCount);
    await vi.waitFor(() => expect(attempts()).toEqual([1, 2, 3, 4, 5]));
    await vi.waitFor(() =>
      expect(received(logger, 'poison')).toEqual([{ received: 'poison', message: { fail: true } }]),
    );
  });

  test('blob trigger: content, path parameters and blob metadata', async () => {
    const response = await fetch(`${base}/__faasport/azure/blobs/uploads/report.txt`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'blob body',
    });
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(received(logger, 'blob')).toHaveLength(1));
    const [blob] = received(logger, 'blob');
    expect(blob).toMatchObject({
      size: 9,
      text: 'blob body',
      metadata: {
        blobTrigger: 'uploads/report.txt',
        name: 'report.txt',
        uri: expect.stringMatching(/\/devstoreaccount1\/uploads\/report\.txt$/),
        properties: { contentType: 'text/plain', contentLength: 9 },
      },
    });
    expect(
      (await fetch(`${base}/__faasport/azure/blobs/elsewhere/x.txt`, { method: 'POST', body: 'x' })).status,
    ).toBe(404);
  });

  test('timer with runOnStartup fires once at start with the timer payload', async () => {
    await vi.waitFor(() => expect(received(logger, 'timer')).toHaveLength(1));
    const [fired] = received(logger, 'timer');
    expect(fired?.timer).toMatchObject({
      schedule: { adjustForDST: true },
      isPastDue: false,
      scheduleStatus: {
        last: '0001-01-01T00:00:00+00:00',
        next: expect.stringMatching(/^\d{4}-01-01T00:00:00\+00:00$/),
        lastUpdated: '0001-01-01T00:00:00+00:00',
      },
    });
    expect(
      logger.lines.some((l) =>
        l.text.includes("Executing 'Functions.atStartup' (Reason='Timer fired at startup"),
      ),
    ).toBe(true);
  });

  test('host.json limits: maxConcurrentRequests run at once, beyond maxOutstandingRequests → 429', async () => {
    const slow = (ms: number) => fetch(`${base}/limits/slow?ms=${ms}`);
    await (await slow(0)).arrayBuffer(); // the host is up
    const inFlight = [slow(1200), slow(1200), slow(0)];
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rejected = await slow(0);
    expect(rejected.status).toBe(429);
    const statuses = await Promise.all(inFlight.map(async (r) => (await r).status));
    expect(statuses).toEqual([200, 200, 200]);
  });

  test('functionTimeout from host.json: 500, the host is restarted', async () => {
    const before = await fetch(`${base}/limits/slow?ms=0`);
    await before.arrayBuffer();
    const timedOut = await fetch(`${base}/limits/slow?ms=5000`);
    expect(timedOut.status).toBe(500);
    expect(
      logger.lines.some((l) =>
        l.text.includes("Timeout value of 00:00:02 exceeded by function 'Functions.slow'"),
      ),
    ).toBe(true);
    const after = await fetch(`${base}/limits/slow?ms=0`);
    expect(after.headers.get('x-faasport-cold')).toBe('true');
    expect(after.headers.get('x-faasport-instance')).not.toBe(before.headers.get('x-faasport-instance'));
  });

  test('a worker that exits: the next request starts a new host', async () => {
    const bye = await fetch(`${base}/limits/exit`);
    expect(bye.status).toBe(200);
    await vi.waitFor(() =>
      expect(logger.lines.some((l) => l.text.includes('Language Worker Process exited. Exit code: 3'))).toBe(
        true,
      ),
    );
    const next = await fetch(`${base}/limits/slow?ms=0`);
    expect(next.headers.get('x-faasport-cold')).toBe('true');
  });

  test('logs name each invocation the way the Functions host does', () => {
    expect(
      logger.lines.some((l) =>
        /^\[\S+Z\] Executing 'Functions\.echo' \(Reason='This function was programmatically called via the host APIs\.', Id=[0-9a-f-]{36}\)$/.test(
          l.text,
        ),
      ),
    ).toBe(true);
    expect(
      logger.lines.some((l) =>
        /^\[\S+Z\] Executed 'Functions\.echo' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)$/.test(l.text),
      ),
    ).toBe(true);
  });
});

/** An app that reports its trace context and its timer, written for the test. */
const TRACED_APP = `const { app } = require('@azure/functions');
app.http('traced', {
  methods: ['GET'],
  handler: async (request, context) => ({ jsonBody: { traceContext: context.traceContext } }),
});
app.storageQueue('tracedQueue', {
  queueName: 'traced',
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    context.log(JSON.stringify({ received: 'traced-queue', traceContext: context.traceContext }));
  },
});
app.timer('everySecond', {
  schedule: '*/1 * * * * *',
  useMonitor: true,
  handler: async (timer, context) => {
    context.log(JSON.stringify({ received: 'tick', timer, traceContext: context.traceContext }));
  },
});
`;

describe('Azure invocation context and timer status (process engine)', () => {
  let emulator: Emulator;
  let base: string;
  let dir: string;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-azure-shapes-'));
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'index.js'), TRACED_APP);
    await writeFile(join(dir, 'app', 'host.json'), '{"version":"2.0"}');
    await writeFile(join(dir, 'package.json'), '{"name":"traced","version":"1.0.0","private":true}');
    await writeFile(
      join(dir, 'serverless.yml'),
      `service: traced
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    azure:
      location: westeurope
functions:
  main:
    azure:
      entryPoint: app/index.js
`,
    );
    emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: 'process', azurePort: 0, logger });
    base = emulator.urls.azure;
  });
  afterAll(async () => {
    await emulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("HTTP: traceContext.traceParent in W3C form, a new trace per call, the caller's trace id kept", async () => {
    const traceParentOf = async (headers: Record<string, string> = {}) =>
      (
        (await (await fetch(`${base}/api/traced`, { headers })).json()) as {
          traceContext: { traceParent: string };
        }
      ).traceContext.traceParent;
    const [a, b] = [await traceParentOf(), await traceParentOf()];
    expect(a).toMatch(TRACEPARENT);
    expect(b).toMatch(TRACEPARENT);
    expect(a.slice(3, 35)).not.toBe(b.slice(3, 35));
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const kept = await traceParentOf({ traceparent: sent });
    expect(kept).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(kept).not.toBe(sent);
  });

  test('queue: traceContext.traceParent in W3C form', async () => {
    await emulator.azure?.enqueue('traced', 'hello');
    const seen = await vi.waitFor(() => {
      const [found] = received(logger, 'traced-queue');
      if (!found) throw new Error('not logged yet');
      return found;
    });
    expect((seen.traceContext as { traceParent: string }).traceParent).toMatch(TRACEPARENT);
  });

  test('a monitored timer: Last is the previous firing, Next the occurrence that fired', async () => {
    type Tick = {
      timer: { scheduleStatus: Record<string, string>; isPastDue: boolean };
      traceContext: { traceParent: string };
    };
    const ticks = await vi.waitFor(
      () => {
        const found = received(logger, 'tick') as unknown as Tick[];
        if (found.length < 3) throw new Error('not enough ticks yet');
        return found;
      },
      { timeout: 10_000, interval: 200 },
    );
    const [first, ...rest] = ticks;
    expect(first?.timer.scheduleStatus).toEqual({
      last: '0001-01-01T00:00:00+00:00',
      next: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
      lastUpdated: '0001-01-01T00:00:00+00:00',
    });
    let previous = first as Tick;
    for (const tick of rest) {
      const status = tick.timer.scheduleStatus;
      expect(status.last).toMatch(HOST_TIME);
      // The run's start time, to the second: the occurrence that fired (a busy machine may start it late).
      const late = Date.parse(status.last ?? '') - Date.parse(previous.timer.scheduleStatus.next ?? '');
      expect(late === 0 || late === 1000).toBe(true);
      expect(status.lastUpdated).toBe(status.last);
      expect(Date.parse(status.next ?? '') - Date.parse(status.last ?? '')).toBe(1000);
      expect(tick.timer.isPastDue).toBe(false);
      expect(tick.traceContext.traceParent).toMatch(TRACEPARENT);
      previous = tick;
    }
  });
});
