import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { HOST_TIME, TRACEPARENT } from '../../unit/emulator/azure-shapes/host-values';

const config = join(__dirname, '../../../fixtures/azure-custom-handler/serverless.yml');

describe.each(['process', 'docker'] as const)('Azure custom handlers on the %s engine', (engine) => {
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

  test('HTTP through the Data/Metadata protocol: the request in Data, the response from Outputs', async () => {
    const response = await fetch(`${base}/api/hello/Ada?x=1`, {
      method: 'POST',
      headers: { 'X-Custom': 'yes' },
      body: 'payload',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-handler')).toBe('custom');
    expect(response.headers.get('x-faasport-cold')).toBe('true');
    // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
    const reply = (await response.json()) as any;
    expect(reply.message).toBe('Hello, Ada!');
    expect(reply.received.Data.req).toMatchObject({
      Method: 'POST',
      Query: { x: '1' },
      Params: { name: 'Ada' },
      Headers: { 'x-custom': ['yes'] },
      Body: 'payload',
    });
    expect(new URL(reply.received.Data.req.Url).pathname).toBe('/api/hello/Ada');
    expect(reply.received.Metadata.sys.MethodName).toBe('hello');
    const warm = await fetch(`${base}/api/hello`);
    expect(warm.headers.get('x-faasport-cold')).toBe('false');
    // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
    expect(((await warm.json()) as any).message).toBe('Hello, world!');
    expect(logger.lines.some((l) => l.text.endsWith('hello ran for Ada'))).toBe(true);
  });

  test('a queue message reaches the handler in Data with its metadata', async () => {
    const [delivery] = (await emulator.azure?.enqueue('jobs', '{"job":1}')) ?? [];
    expect(delivery).toMatchObject({
      app: 'azch-dev-app',
      function: 'jobs',
      outcome: 'succeeded',
      attempts: 1,
    });
    const line = logger.lines.find((l) => l.text.includes('{"received":"job"'));
    const logged = JSON.parse(line?.text.slice(line.text.indexOf('{')) ?? '{}');
    expect(logged.payload.Data.job).toBe('{"job":1}');
    // The JSON message's properties are in the metadata too; times as the host writes them.
    expect(logged.payload.Metadata).toMatchObject({ DequeueCount: 1, QueueTrigger: '{"job":1}', job: 1 });
    for (const key of ['InsertionTime', 'ExpirationTime', 'NextVisibleTime'])
      expect(logged.payload.Metadata[key]).toMatch(HOST_TIME);
  });

  test('enableForwardingHttpRequest: the original request goes through and the response comes back as it is', async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
    const response = await fetch(`${base}/api/echo/a/b?q=1`, { method: 'POST', body: bytes });
    expect(response.status).toBe(207);
    expect(response.headers.get('x-seen-url')).toBe('/api/echo/a/b?q=1');
    expect(response.headers.get('x-seen-method')).toBe('POST');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(bytes).reverse());
  });

  test('recycle: the next request starts the handler again', async () => {
    emulator.recycle('azch-dev-app');
    const cold = await fetch(`${base}/api/hello`);
    expect(cold.headers.get('x-faasport-cold')).toBe('true');
    await vi.waitFor(() => expect(emulator.azure?.find('azch-dev-app')?.stats().instances).toBe(1));
  });
});

/** A custom handler that reports the traceparent header of each call the host makes. */
const TRACED_HANDLER = `const http = require('node:http');
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const traceparent = req.headers.traceparent ?? null;
      const reply = req.url === '/hello'
        ? { Outputs: { res: { statusCode: 200, body: JSON.stringify({ traceparent }) } } }
        : { Logs: [JSON.stringify({ received: 'traced-job', traceparent })] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  })
  .listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), '127.0.0.1');
`;

describe('Azure custom handlers: the trace context of the host’s calls (process engine)', () => {
  let emulator: Emulator;
  let base: string;
  let dir: string;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-custom-traced-'));
    const files: Record<string, string> = {
      'app/server.js': TRACED_HANDLER,
      'app/host.json': JSON.stringify({
        version: '2.0',
        customHandler: { description: { defaultExecutablePath: 'node', arguments: ['server.js'] } },
      }),
      'app/hello/function.json': JSON.stringify({
        bindings: [
          { type: 'httpTrigger', direction: 'in', name: 'req', authLevel: 'anonymous', methods: ['get'] },
          { type: 'http', direction: 'out', name: 'res' },
        ],
      }),
      'app/jobs/function.json': JSON.stringify({
        bindings: [{ type: 'queueTrigger', direction: 'in', name: 'job', queueName: 'traced-jobs' }],
      }),
      'package.json': '{"name":"traced-custom","version":"1.0.0","private":true}',
      'serverless.yml': `service: tch
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    azure:
      location: westeurope
functions:
  app:
    azure:
      entryPoint: app/server.js
`,
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    emulator = await startEmulator(join(dir, 'serverless.yml'), { engine: 'process', azurePort: 0, logger });
    base = emulator.urls.azure;
  });
  afterAll(async () => {
    await emulator?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("HTTP: a W3C traceparent header on the host's call, the caller's trace id kept", async () => {
    const seen = async (headers: Record<string, string> = {}) =>
      ((await (await fetch(`${base}/api/hello`, { headers })).json()) as { traceparent: string }).traceparent;
    const [a, b] = [await seen(), await seen()];
    expect(a).toMatch(TRACEPARENT);
    expect(b).toMatch(TRACEPARENT);
    expect(a.slice(3, 35)).not.toBe(b.slice(3, 35));
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(await seen({ traceparent: sent })).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
    );
  });

  test("queue: a W3C traceparent header on the host's call", async () => {
    await emulator.azure?.enqueue('traced-jobs', 'x');
    const line = await vi.waitFor(() => {
      const found = logger.lines.find((l) => l.text.includes('{"received":"traced-job"'));
      if (!found) throw new Error('not logged yet');
      return found;
    });
    expect(JSON.parse(line.text.slice(line.text.indexOf('{'))).traceparent).toMatch(TRACEPARENT);
  });
});
