import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';
import { eventually } from '../../helpers/eventually';
import { freePort } from '../../helpers/ports';

const SERVICE = `service: debugged
provider:
  name: faasport
  runtime: nodejs24.x
  memorySize: 128
  timeout: 1
functions:
  hello:
    handler: hello.handler
    package: { patterns: ['!**', 'hello.js'] }
    events: [{ httpApi: GET /hello }]
  py:
    handler: py.handler
    runtime: python3.12
    package: { patterns: ['!**', 'py.py'] }
`;

const HELLO = `exports.handler = async () => {
  const answer = { statusCode: 200, body: 'resumed' };
  return answer;
};
`;

/** A Chrome DevTools Protocol session over the inspector's WebSocket (Node's own WebSocket client). */
async function inspectorSession(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? '');
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
  const events: { method: string; params: Record<string, unknown> }[] = [];
  socket.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as {
      id?: number;
      result?: unknown;
      method?: string;
      params?: Record<string, unknown>;
    };
    if (data.id !== undefined) pending.get(data.id)?.resolve(data.result);
    else if (data.method) events.push({ method: data.method, params: data.params ?? {} });
  };
  // The instance went away (killed by a timeout, say): every call still waiting fails now.
  socket.onclose = () => {
    for (const waiting of pending.values()) waiting.reject(new Error('the inspector closed the session'));
  };
  return {
    events,
    send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
      id += 1;
      const sent = id;
      return new Promise((resolve, reject) => {
        pending.set(sent, { resolve, reject });
        socket.send(JSON.stringify({ id: sent, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

describe.each(['process', 'docker'] as const)('--inspect on the %s engine', (engine) => {
  let dir: string;
  let emulator: Emulator;
  let port: number;
  const logger = new MemoryLogger();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-inspect-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'hello.js'), HELLO);
    await writeFile(join(dir, 'py.py'), 'def handler(event, context):\n    return {"ok": True}\n');
    port = await freePort();
    emulator = await startEmulator(join(dir, 'serverless.yml'), {
      engine,
      logger,
      inspect: { brk: false, targets: [{ port }] },
    });
  }, 120_000);
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every function gets a port of its own from the one asked for', () => {
    expect(emulator.inspected?.functions).toEqual([
      { name: 'debugged-dev-hello', provider: 'aws', port },
      { name: 'debugged-dev-py', provider: 'aws', port: port + 1 },
    ]);
  });

  test('a real inspector client hits a breakpoint in the handler; the 1 s timeout waits while it is paused', async () => {
    const first = await fetch(`${emulator.urls.gateway}/hello`);
    expect(first.headers.get('x-faasport-cold')).toBe('true');
    const session = await inspectorSession(port);
    try {
      await session.send('Debugger.enable');
      const breakpoint = (await session.send('Debugger.setBreakpointByUrl', {
        urlRegex: 'hello\\.js$',
        lineNumber: 1,
      })) as { locations: unknown[] };
      expect(breakpoint.locations).toHaveLength(1);
      const second = fetch(`${emulator.urls.gateway}/hello`);
      const paused = await eventually(
        () => session.events.find((e) => e.method === 'Debugger.paused'),
        (event) => event !== undefined,
      );
      const frames = (paused?.params.callFrames ?? []) as {
        location: { scriptId: string; lineNumber: number };
      }[];
      const frame = frames[0];
      const script = session.events.find(
        (e) => e.method === 'Debugger.scriptParsed' && e.params.scriptId === frame?.location.scriptId,
      );
      expect(script?.params.url).toMatch(/hello\.js$/);
      expect(frame?.location.lineNumber).toBe(1);
      expect(paused?.params.hitBreakpoints).toHaveLength(1);
      // Longer than the function's 1 s timeout: a debugger holding the instance suspends it.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Without the suspension the instance is killed meanwhile, and the answer is already a 502.
      await Promise.race([session.send('Debugger.resume'), second]);
      const response = await second;
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('resumed');
      expect(response.headers.get('x-faasport-instance')).toBe(first.headers.get('x-faasport-instance'));
    } finally {
      session.close();
    }
  });

  test('a Python function without debugpy says what to install, and runs', async () => {
    const outcome = await emulator.invoke('debugged-dev-py', {});
    expect(JSON.parse(outcome.payload.toString())).toEqual({ ok: true });
    expect(logger.lines.map((line) => line.text).join('\n')).toContain(
      'faasport: --inspect for Python functions needs debugpy',
    );
  });
});

describe('--inspect-brk (process engine)', () => {
  const brkLogger = new MemoryLogger();
  let dir: string;
  let emulator: Emulator;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faasport-inspect-brk-'));
    await writeFile(join(dir, 'serverless.yml'), SERVICE);
    await writeFile(join(dir, 'hello.js'), HELLO);
    await writeFile(join(dir, 'py.py'), 'def handler(event, context):\n    return {"ok": True}\n');
    port = await freePort();
    emulator = await startEmulator(join(dir, 'serverless.yml'), {
      engine: 'process',
      logger: brkLogger,
      watch: true,
      inspect: { brk: true, targets: [{ function: 'hello', port }] },
    });
  });
  afterAll(async () => {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a cold start waits for the debugger before any code runs, then serves once it lets go', async () => {
    let settled = false;
    const response = fetch(`${emulator.urls.gateway}/hello`).finally(() => {
      settled = true;
    });
    const session = await eventually(
      () => inspectorSession(port).catch(() => undefined),
      (connected) => connected !== undefined,
    );
    try {
      expect(settled).toBe(false);
      await session?.send('Debugger.enable');
      await session?.send('Runtime.runIfWaitingForDebugger');
      await eventually(
        () => session?.events.find((e) => e.method === 'Debugger.paused'),
        (paused) => paused !== undefined,
      );
      expect(settled).toBe(false);
      await session?.send('Debugger.resume');
      const answer = await response;
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-faasport-cold')).toBe('true');
    } finally {
      session?.close();
    }
  });

  test('a reload is tried without a debugger: the trial does not wait for one', async () => {
    // No instance holds the debugger port any more: a trial that opened it would wait there.
    await fetch(
      `${emulator.urls.gateway}/__faasport/functions/${emulator.functionNames().find((n) => n.endsWith('hello'))}/recycle`,
      {
        method: 'POST',
      },
    );
    await eventually(
      () =>
        inspectorSession(port).then(
          (session) => (session.close(), false),
          () => true,
        ),
      (free) => free,
    );
    await writeFile(join(dir, 'hello.js'), `${HELLO}\n// edited\n`);
    const reloaded = await eventually(
      async () => brkLogger.lines.find((l) => /^reloaded [0-9a-f]{12} → [0-9a-f]{12}/.test(l.text)),
      (line) => line !== undefined,
      { timeoutMs: 20_000 },
    );
    expect(reloaded?.source).toMatch(/hello$/);
  });
});
