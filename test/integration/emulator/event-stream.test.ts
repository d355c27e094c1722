import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type InvocationEvent, startEmulator, type TestEmulator } from '../../../emulator/testing';

const SERVICE = `service: stream
provider:
  name: faasport
  runtime: nodejs24.x
  memorySize: 128
  targets:
    aws: {}
    gcp: { project: p, region: europe-west1 }
functions:
  hello:
    handler: hello.handler
    targets: [aws]
    package: { patterns: ['!**', 'hello.js'] }
    events: [{ httpApi: GET /hello }]
  web:
    handler: index.web
    targets: [gcp]
    gcp: { entryPoint: web }
    package: { patterns: ['!**', 'index.js'] }
  slow:
    handler: slow.handler
    targets: [aws]
    reservedConcurrency: 1
    package: { patterns: ['!**', 'slow.js'] }
`;

const HANDLER = `exports.handler = async () => {
  console.log('saying hello');
  return { statusCode: 200, body: 'hello' };
};
`;

/** Reads Server-Sent Events until `enough` says so; the `data:` lines parsed as JSON. */
function readSse(url: string, enough: (events: InvocationEvent[]) => boolean): Promise<InvocationEvent[]> {
  return new Promise((resolve, reject) => {
    const events: InvocationEvent[] = [];
    const req = request(url, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        req.destroy();
        reject(new Error(`not an event stream: ${res.statusCode} ${res.headers['content-type']}`));
        return;
      }
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((line) => line.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) {
            const event = JSON.parse(data.slice(6)) as InvocationEvent;
            if (event.type === 'invocation') events.push(event);
          }
          end = buffer.indexOf('\n\n');
        }
        if (enough(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

describe('the event stream (testing API, Server-Sent Events, the console’s guard)', () => {
  let dir: string;
  let emulator: TestEmulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-events-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'hello.js'), HANDLER);
    await writeFile(
      join(dir, 'index.js'),
      "exports.web = (req, res) => { console.log('serving ' + req.path); res.status(201).send('made'); };\n",
    );
    await writeFile(
      join(dir, 'slow.js'),
      'exports.handler = () => new Promise((resolve) => setTimeout(() => resolve("done"), 300));\n',
    );
    emulator = await startEmulator({ config: join(dir, 'serverless.yml'), engine: 'process' });
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('events() yields each invocation with its cold/warm facts, instance and logs', async () => {
    const seen: InvocationEvent[] = [];
    const reading = (async () => {
      for await (const event of emulator.events()) {
        if (event.type === 'invocation') seen.push(event);
        if (seen.length === 2) break;
      }
    })();
    const first = await fetch(`${emulator.url}/hello`);
    const second = await fetch(`${emulator.url}/hello`);
    await reading;
    expect(seen.map((e) => [e.v, e.provider, e.function, e.trigger, e.outcome, e.cold])).toEqual([
      [1, 'aws', 'stream-dev-hello', 'http', 'success', true],
      [1, 'aws', 'stream-dev-hello', 'http', 'success', false],
    ]);
    expect(seen[0]?.instanceId).toBe(first.headers.get('x-faasport-instance'));
    expect(seen[1]?.instanceId).toBe(second.headers.get('x-faasport-instance'));
    expect(seen[0]?.initDurationMs).toBeGreaterThan(0);
    expect(seen[1]?.initDurationMs).toBeUndefined();
    expect(seen[0]?.logs.some((line) => line.includes('saying hello'))).toBe(true);
    expect(seen[0]?.logs.at(-1)).toMatch(/^REPORT RequestId: /);
  });

  test('a GCP request is an event with its HTTP status and the lines the instance printed meanwhile', async () => {
    const reading = (async () => {
      for await (const event of emulator.events()) {
        if (event.type === 'invocation' && event.provider === 'gcp') return event;
      }
      return undefined;
    })();
    expect((await fetch(`${emulator.urls.gcp}/stream-dev-web/things`)).status).toBe(201);
    expect(await reading).toMatchObject({
      function: 'stream-dev-web',
      trigger: 'http',
      outcome: 'success',
      status: 201,
      cold: true,
      replayable: false,
    });
    expect((await reading)?.logs.join('\n')).toContain('serving /things');
  });

  test('a throttled invocation is an event too, with no instance', async () => {
    const seen: InvocationEvent[] = [];
    const reading = (async () => {
      for await (const event of emulator.events()) {
        if (event.type === 'invocation' && event.function === 'stream-dev-slow') seen.push(event);
        if (seen.length === 2) break;
      }
    })();
    const outcomes = await Promise.allSettled([emulator.invoke('slow'), emulator.invoke('slow')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    await reading;
    expect(seen.map((e) => [e.outcome, e.instanceId === ''])).toEqual([
      ['throttled', true],
      ['success', false],
    ]);
  });

  test('GET /__faasport/events streams the recent invocations (replay=1) and new ones', async () => {
    const events = await readSse(`${emulator.url}/__faasport/events?replay=1`, (e) => e.length >= 2);
    expect(events.slice(0, 2).map((e) => e.cold)).toEqual([true, false]);
    const live = readSse(`${emulator.url}/__faasport/events`, (e) => e.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fetch(`${emulator.url}/hello`);
    expect((await live)[0]).toMatchObject({ type: 'invocation', cold: false, trigger: 'http' });
  });

  test('another site’s page cannot read the stream or drive the console; a call without the page’s token is refused', async () => {
    const foreign = await fetch(`${emulator.url}/__faasport/events`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toBe(
      'refused: Origin "https://evil.example" is not a page served from this machine',
    );
    const recycle = await fetch(`${emulator.url}/__faasport/api/functions/stream-dev-hello/recycle`, {
      method: 'POST',
    });
    expect(recycle.status).toBe(403);
    expect(((await recycle.json()) as { message: string }).message).toMatch(/console token/);
    const page = await fetch(`${emulator.url}/__faasport/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const token = /name="faasport-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const allowed = await fetch(`${emulator.url}/__faasport/api/functions/stream-dev-hello/recycle`, {
      method: 'POST',
      headers: { 'x-faasport-console-token': token },
    });
    expect(allowed.status).toBe(200);
    expect((await fetch(`${emulator.url}/hello`)).headers.get('x-faasport-cold')).toBe('true');
  });
});
