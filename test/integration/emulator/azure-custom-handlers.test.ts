import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

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
    expect(logged.payload.Metadata).toMatchObject({ DequeueCount: 1, QueueTrigger: '{"job":1}' });
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
