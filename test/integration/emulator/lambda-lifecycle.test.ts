import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import type { Engine } from '../../../emulator/engines/engine';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { ThrottledError } from '../../../emulator/pool/instance-pool';
import { initProblem } from '../../../emulator/providers/aws/init-problem';
import { LambdaFunction } from '../../../emulator/providers/aws/lambda-function';

const codeDir = join(__dirname, '../../../fixtures/lambda-behaviours');

function lambda(
  engine: Engine,
  overrides: { handler?: string; runtime?: string; timeoutSeconds?: number; maxConcurrency?: number } = {},
) {
  const logger = new MemoryLogger();
  const fn = new LambdaFunction({
    config: {
      name: 'faasport-test-dev-behaviours',
      handler: overrides.handler ?? 'index.handler',
      runtime: overrides.runtime ?? 'nodejs24.x',
      memorySizeMb: 128,
      timeoutSeconds: overrides.timeoutSeconds ?? 3,
      environment: { GREETING: 'hi' },
      region: 'us-east-1',
      accountId: '123456789012',
    },
    codeDir,
    engine,
    logger,
    maxConcurrency: overrides.maxConcurrency ?? 2,
    idleTimeoutMs: 60_000,
  });
  return { fn, logger };
}

const event = (value: unknown) => Buffer.from(JSON.stringify(value));
const json = (payload: Buffer) => JSON.parse(payload.toString('utf8'));

describe.each([
  ['process', () => new ProcessEngine()],
  ['docker', () => new DockerEngine()],
])('Lambda lifecycle on the %s engine', (_name, makeEngine) => {
  const engine = makeEngine();
  const functions: LambdaFunction[] = [];
  const make = (overrides?: Parameters<typeof lambda>[1]) => {
    const made = lambda(engine, overrides);
    functions.push(made.fn);
    return made;
  };
  beforeAll(() => engine.cleanup());
  afterAll(async () => {
    await Promise.all(functions.map((fn) => fn.close()));
  });

  test('cold start, then warm reuse keeps module state; recycle makes the next one cold', async () => {
    const { fn, logger } = make();
    const first = await fn.invoke(event({ echo: 1 }));
    const second = await fn.invoke(event({ echo: 2 }));
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.cold).toBe(false);
    expect(second.instanceId).toBe(first.instanceId);
    expect(json(first.payload)).toMatchObject({
      invocations: 1,
      echo: 1,
      functionName: 'faasport-test-dev-behaviours',
    });
    expect(json(second.payload)).toMatchObject({ invocations: 2, echo: 2, requestId: second.requestId });
    expect(json(second.payload).remainingMs).toBeGreaterThan(0);

    fn.recycle();
    const third = await fn.invoke(event({ echo: 3 }));
    expect(third.cold).toBe(true);
    expect(json(third.payload)).toMatchObject({ invocations: 1 });

    const report = logger.lines.map((l) => l.text).filter((t) => t.startsWith('REPORT'));
    expect(report).toHaveLength(3);
    expect(report[0]).toMatch(/Init Duration: \d+\.\d\d ms$/);
    expect(report[1]).not.toContain('Init Duration');
    expect(first.logs[0]).toBe(`START RequestId: ${first.requestId} Version: $LATEST`);
    expect(first.logs.some((line) => /\tINFO\tinvocation 1 of instance/.test(line))).toBe(true);
  });

  test('callback-style handlers work on nodejs22.x (Node.js 24 removed them)', async () => {
    const { fn } = make({ handler: 'index.callbackStyle', runtime: 'nodejs22.x' });
    const result = await fn.invoke(event({ echo: 'cb' }));
    expect(json(result.payload)).toEqual({ callback: true, echo: 'cb' });
  });

  test('a thrown error is an Unhandled function error and the instance stays warm', async () => {
    const { fn } = make();
    const failed = await fn.invoke(event({ fail: 'boom' }));
    expect(failed.functionError).toEqual({ errorType: 'TypeError' });
    expect(json(failed.payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
    const after = await fn.invoke(event({}));
    expect(after.cold).toBe(false);
    expect(after.instanceId).toBe(failed.instanceId);
  });

  test('a timeout kills the instance with Lambda’s message, and the next request gets a new one', async () => {
    const { fn, logger } = make({ timeoutSeconds: 1 });
    const warm = await fn.invoke(event({}));
    const timedOut = await fn.invoke(event({ sleepMs: 5000 }));
    expect(timedOut.functionError?.errorType).toBe('Sandbox.Timedout');
    expect(json(timedOut.payload).errorMessage).toBe(
      `RequestId: ${timedOut.requestId} Error: Task timed out after 1.00 seconds`,
    );
    expect(
      logger.lines.some((l) => l.text.endsWith(`${timedOut.requestId} Task timed out after 1.00 seconds`)),
    ).toBe(true);
    const next = await fn.invoke(event({}));
    expect(next.cold).toBe(true);
    expect(next.instanceId).not.toBe(warm.instanceId);
  });

  test('a crash discards the instance, reports the exit, and the function keeps serving', async () => {
    const { fn } = make();
    const crashed = await fn.invoke(event({ exitCode: 3 }));
    expect(crashed.functionError?.errorType).toBe('Runtime.ExitError');
    expect(json(crashed.payload).errorMessage).toContain('Runtime exited with error: exit status 3');
    const next = await fn.invoke(event({ echo: 'alive' }));
    expect(next.cold).toBe(true);
    expect(json(next.payload)).toMatchObject({ echo: 'alive', invocations: 1 });
  });

  test('using more memory than memorySize is reported as out of memory', async () => {
    const { fn } = make();
    const result = await fn.invoke(event({ allocateMb: 400 }));
    expect(result.functionError?.errorType).toBe('Runtime.OutOfMemory');
    const next = await fn.invoke(event({}));
    expect(next.cold).toBe(true);
  });

  test('past the concurrency limit the function throttles', async () => {
    const { fn } = make({ maxConcurrency: 2 });
    const results = await Promise.allSettled([1, 2, 3].map(() => fn.invoke(event({ sleepMs: 500 }))));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(ThrottledError);
    expect(fn.stats().instances).toBe(2);
  });

  test('a module that does not load is an init error returned to the caller', async () => {
    const { fn } = make({ handler: 'broken.handler' });
    const result = await fn.invoke(event({}));
    expect(result.functionError?.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(json(result.payload).errorType).toBe('Runtime.UserCodeSyntaxError');
    const missing = make({ handler: 'index.nope' });
    const notFound = await missing.fn.invoke(event({}));
    expect(notFound.functionError?.errorType).toBe('Runtime.HandlerNotFound');
  });

  test.each([
    ['index.nope', 'Runtime.HandlerNotFound', 'index.nope is undefined or not exported', 'index.js'],
    ['index.notAFunction', 'Runtime.HandlerNotFound', 'index.notAFunction is not a function', 'index.js'],
    [
      'missing.handler',
      'Runtime.ImportModuleError',
      "Error: Cannot find module 'missing'\nRequire stack:\n- /var/runtime/index.mjs",
      'missing.js',
    ],
    ['broken.handler', 'Runtime.UserCodeSyntaxError', 'SyntaxError: Unexpected end of input', 'broken.js:4'],
  ])(
    '%s: Lambda’s errorType and errorMessage, and the user’s file — never the runtime’s',
    async (handler, errorType, errorMessage, location) => {
      const { fn, logger } = make({ handler });
      const result = await fn.invoke(event({}));
      const payload = json(result.payload);
      expect(payload).toMatchObject({ errorType, errorMessage });
      expect(JSON.stringify(payload.trace)).not.toMatch(/bootstrap|runtimes\/aws|node:internal/);
      expect(logger.lines.map((line) => line.text).join('\n')).not.toMatch(/bootstrap\.js/);
      const problem = await fn.tryCode(codeDir);
      expect(problem && initProblem(problem, codeDir)).toEqual({
        errorType,
        message: errorMessage.split('\n')[0],
        location,
      });
    },
  );
});

describe.each([
  ['process', () => new ProcessEngine()],
  ['docker', () => new DockerEngine()],
])('a Python handler on the %s engine', (_name, makeEngine) => {
  test('runs cold then warm, with the context and the cloud’s error shape', async () => {
    const fn = new LambdaFunction({
      config: {
        name: 'faasport-test-dev-python',
        handler: 'handler.handler',
        runtime: 'python3.11',
        memorySizeMb: 128,
        timeoutSeconds: 5,
        environment: {},
        region: 'us-east-1',
        accountId: '123456789012',
      },
      codeDir: join(__dirname, '../../../fixtures/python-aws'),
      engine: makeEngine(),
      logger: new MemoryLogger(),
      maxConcurrency: 1,
      idleTimeoutMs: 60_000,
    });
    try {
      const cold = await fn.invoke(event({ queryStringParameters: { name: 'py' } }));
      const warm = await fn.invoke(event({}));
      expect(cold.functionError).toBeUndefined();
      const coldBody = JSON.parse(json(cold.payload).body);
      expect(coldBody).toMatchObject({ message: 'Hello, py!', cold: true, requestId: cold.requestId });
      expect(coldBody.runtime).toMatch(/^python 3\./);
      expect(JSON.parse(json(warm.payload).body)).toMatchObject({
        cold: false,
        instance: { invocations: 2 },
      });
      expect(warm.cold).toBe(false);
      const broken = await fn.invoke(Buffer.from('"not an object"'));
      expect(broken.functionError).toBeUndefined();
    } finally {
      await fn.close();
    }
  });
});
