import { afterEach, describe, expect, test } from 'vitest';
import { MemoryLogger } from '../../../../emulator/logger';
import { LambdaFunction } from '../../../../emulator/providers/aws/lambda-function';
import { FakeEngine } from './fake-engine';
import { lambdaRuntimeClient } from './lambda-runtime-client';

const open: LambdaFunction[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((fn) => fn.close()));
});

function lambda(timeoutSeconds = 0.2) {
  const engine = new FakeEngine(lambdaRuntimeClient);
  const fn = new LambdaFunction({
    config: {
      name: 'fake-dev-fn',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      memorySizeMb: 128,
      timeoutSeconds,
      environment: {},
      region: 'us-east-1',
      accountId: '123456789012',
    },
    codeDir: '/nowhere',
    engine,
    logger: new MemoryLogger(),
    maxConcurrency: 2,
    idleTimeoutMs: 0,
  });
  open.push(fn);
  return { fn, engine };
}

const event = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('a discarded Lambda environment is ended exactly once', () => {
  test('after a timeout: one kill, no stop', async () => {
    const { fn, engine } = lambda();
    const result = await fn.invoke(event({ hang: true }));
    expect(result.functionError?.errorType).toBe('Sandbox.Timedout');
    const [instance] = engine.instances;
    expect(instance?.kills).toBe(1);
    expect(instance?.stops).toBe(0);
  });

  test('after a crash under an invocation: ended once', async () => {
    const { fn, engine } = lambda();
    const result = await fn.invoke(event({ crash: 3 }));
    expect(result.functionError?.errorType).toBe('Runtime.ExitError');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.instances[0]?.ends).toBe(1);
  });
});
