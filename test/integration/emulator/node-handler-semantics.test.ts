import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { LambdaFunction } from '../../../emulator/providers/aws/lambda-function';

/**
 * How the Node.js runtime client settles an invocation, per managed runtime version: Node.js 22
 * keeps callbacks, context.done/succeed/fail and callbackWaitsForEmptyEventLoop; Node.js 24
 * awaits the handler and refuses callback handlers at init. The process engine is enough: the
 * runtime client is the same file on both engines.
 */
const codeDir = join(__dirname, '../../../fixtures/node-handlers');
const engine = new ProcessEngine();
const functions: LambdaFunction[] = [];

function lambda(runtime: string, handler: string): LambdaFunction {
  const fn = new LambdaFunction({
    config: {
      name: `handlers-${runtime.replace('.', '-')}-${handler}`,
      handler: `handlers.${handler}`,
      runtime,
      memorySizeMb: 128,
      timeoutSeconds: 5,
      environment: {},
      region: 'us-east-1',
      accountId: '123456789012',
    },
    codeDir,
    engine,
    logger: new MemoryLogger(),
    maxConcurrency: 1,
    idleTimeoutMs: 60_000,
  });
  functions.push(fn);
  return fn;
}

async function invoke(runtime: string, handler: string, event: unknown = {}) {
  const result = await lambda(runtime, handler).invoke(Buffer.from(JSON.stringify(event)));
  return { ...result, value: JSON.parse(result.payload.toString('utf8')) as unknown };
}

afterAll(async () => {
  await Promise.all(functions.map((fn) => fn.close()));
});

describe('nodejs22.x: callbacks and context methods', () => {
  test('context.succeed called after the handler returned is the result (not null)', async () => {
    const { value, functionError } = await invoke('nodejs22.x', 'deferredSucceed', { echo: 'x' });
    expect(functionError).toBeUndefined();
    expect(value).toEqual({ via: 'succeed', echo: 'x' });
  });

  test('context.done(error) and context.fail(error) after the return are function errors', async () => {
    const done = await invoke('nodejs22.x', 'deferredDoneError');
    expect(done.functionError).toEqual({ errorType: 'RangeError' });
    expect(done.value).toMatchObject({ errorType: 'RangeError', errorMessage: 'done with an error' });
    const failed = await invoke('nodejs22.x', 'deferredFail');
    expect(failed.value).toMatchObject({ errorType: 'Error', errorMessage: 'failed on purpose' });
  });

  test('a plain handler that only returns a value ends with null, as the runtime documents', async () => {
    const { value, functionError } = await invoke('nodejs22.x', 'plainReturn');
    expect(functionError).toBeUndefined();
    expect(value).toBeNull();
  });

  test('callbackWaitsForEmptyEventLoop: true waits for the timer, false answers at once', async () => {
    expect((await invoke('nodejs22.x', 'callbackThenTimer')).value).toEqual({ late: true });
    expect((await invoke('nodejs22.x', 'callbackThenTimer', { dontWait: true })).value).toEqual({
      late: false,
    });
  });

  test('the first settling call wins', async () => {
    expect((await invoke('nodejs22.x', 'callbackTwice')).value).toBe('first');
  });

  test('an async handler whose promise never settles is an error once Node has nothing left to run', async () => {
    const { value, functionError } = await invoke('nodejs22.x', 'neverSettles');
    expect(functionError).toEqual({ errorType: 'Runtime.NodeJsExit' });
    expect(value).toMatchObject({ errorType: 'Runtime.NodeJsExit' });
  });
});

describe('nodejs24.x: handlers are awaited, callbacks are gone', () => {
  test('a handler that declares a callback fails at init with Runtime.CallbackHandlerDeprecated', async () => {
    const { value, functionError } = await invoke('nodejs24.x', 'callbackThenTimer');
    expect(functionError?.errorType).toBe('Runtime.CallbackHandlerDeprecated');
    expect(value).toMatchObject({ errorType: 'Runtime.CallbackHandlerDeprecated' });
    expect(String((value as { errorMessage: string }).errorMessage)).toContain('nodejs22.x');
  });

  test('a plain handler’s return value is the result; context has no succeed', async () => {
    expect((await invoke('nodejs24.x', 'plainReturn')).value).toEqual({ plain: true });
    const deferred = await invoke('nodejs24.x', 'deferredSucceed');
    // The handler returned undefined at once; its timer then throws (context.succeed is gone).
    expect(deferred.value).toBeNull();
  });

  test('async handlers answer the same on both versions', async () => {
    for (const runtime of ['nodejs22.x', 'nodejs24.x'])
      expect((await invoke(runtime, 'asyncReturn', { echo: 1 })).value).toEqual({ async: true, echo: 1 });
  });
});
