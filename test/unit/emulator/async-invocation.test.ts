import { describe, expect, test, vi } from 'vitest';
import type { FunctionModel } from '../../../common/service/service-model';
import { MemoryLogger } from '../../../emulator/logger';
import { ThrottledError } from '../../../emulator/pool/instance-pool';
import { AsyncInvoker, asyncInvokeConfig } from '../../../emulator/providers/aws/async-invocation';
import type { LambdaFunction, LambdaInvokeResult } from '../../../emulator/providers/aws/lambda-function';
import { Scheduler, scheduleTriggers } from '../../../emulator/providers/aws/scheduler';

describe('asynchronous invocation settings', () => {
  test("Lambda's defaults: two retries, six hours; destinations by function key, ARN or { type, arn }", () => {
    expect(asyncInvokeConfig({}, 'f')).toEqual({
      maximumRetryAttempts: 2,
      maximumEventAgeMs: 21_600_000,
      onSuccess: undefined,
      onFailure: undefined,
    });
    expect(
      asyncInvokeConfig(
        {
          maximumRetryAttempts: 0,
          maximumEventAge: 60,
          destinations: { onSuccess: 'audit', onFailure: 'arn:aws:sqs:us-east-1:1:dlq' },
        },
        'f',
        ['worker', 'audit'],
      ),
    ).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeMs: 60_000,
      onSuccess: 'audit',
      onFailure: 'arn:aws:sqs:us-east-1:1:dlq',
    });
    // The framework's logical id of a service function names that function; another reference
    // names nothing local: kept as text, printed when used.
    const getAtt = (logicalId: string) => ({ type: 'function', arn: { 'Fn::GetAtt': [logicalId, 'Arn'] } });
    const keys = ['audit-log', 'send_mail'];
    expect(
      asyncInvokeConfig({ destinations: { onSuccess: getAtt('AuditDashlogLambdaFunction') } }, 'f', keys)
        .onSuccess,
    ).toBe('audit-log');
    expect(
      asyncInvokeConfig(
        { destinations: { onSuccess: getAtt('SendUnderscoremailLambdaFunction') } },
        'f',
        keys,
      ).onSuccess,
    ).toBe('send_mail');
    expect(
      asyncInvokeConfig(
        { destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } } },
        'f',
        keys,
      ).onFailure,
    ).toBe('{"Fn::GetAtt":["Dlq","Arn"]}');
  });

  test('out-of-range values are one-line errors with the path', () => {
    expect(() => asyncInvokeConfig({ maximumRetryAttempts: 3 }, 'functions.f')).toThrow(
      'functions.f.maximumRetryAttempts: 3 is not 0, 1 or 2',
    );
    expect(() => asyncInvokeConfig({ maximumEventAge: 30 }, 'functions.f')).toThrow(
      'functions.f.maximumEventAge: 30 is not a number of seconds from 60 to 21600',
    );
    expect(() => asyncInvokeConfig({ destinations: { onSuccess: 42 } }, 'functions.f')).toThrow(
      'functions.f.destinations.onSuccess: a function key, an ARN or { type, arn } is expected',
    );
    // As the framework refuses to deploy it: a name that is no function key of the service.
    expect(() =>
      asyncInvokeConfig({ destinations: { onFailure: 'adit' } }, 'functions.f', ['audit']),
    ).toThrow('functions.f.destinations.onFailure: "adit" is no function of this service');
  });
});

/** A function whose runs answer as `outcomes` says, in order (the last one repeats). */
function fakeFunction(
  name: string,
  outcomes: ('ok' | 'error' | 'throttled' | 'no-concurrency' | 'broken')[],
) {
  const runs: string[] = [];
  const requestIds: (string | undefined)[] = [];
  const fn = {
    name,
    arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    async invoke(
      payload: Buffer,
      extras: { trigger?: string; requestId?: string } = {},
    ): Promise<LambdaInvokeResult> {
      const outcome = outcomes[Math.min(runs.length, outcomes.length - 1)];
      runs.push(`${outcome}:${extras.trigger}`);
      requestIds.push(extras.requestId);
      if (outcome === 'throttled') throw new ThrottledError(name, 1);
      if (outcome === 'no-concurrency') throw new ThrottledError(name, 0);
      if (outcome === 'broken') throw new Error('the runtime image is gone');
      return {
        requestId: `r${runs.length}`,
        payload: Buffer.from(
          outcome === 'ok'
            ? JSON.stringify({ echo: JSON.parse(payload.toString()) })
            : '{"errorMessage":"x","errorType":"Error"}',
        ),
        ...(outcome === 'error' ? { functionError: { errorType: 'Error' } } : {}),
        cold: false,
        durationMs: 1,
        instanceId: 'i',
        logs: [],
      };
    },
  };
  return { fn: fn as unknown as LambdaFunction, runs, requestIds };
}

/** A destination that keeps the records it is sent. */
function recordingDestination() {
  const records: Record<string, unknown>[] = [];
  const fn = {
    name: 'sink',
    arn: 'arn:aws:lambda:us-east-1:123456789012:function:sink',
    async invoke(payload: Buffer): Promise<LambdaInvokeResult> {
      records.push(JSON.parse(payload.toString()) as Record<string, unknown>);
      return {
        requestId: 'd',
        payload: Buffer.from('null'),
        cold: false,
        durationMs: 1,
        instanceId: 'i',
        logs: [],
      };
    },
  };
  return { fn: fn as unknown as LambdaFunction, records };
}

describe('the asynchronous invocation queue', () => {
  test('throttled runs are not attempts; the retry after an error is marked as one', async () => {
    const target = fakeFunction('target', ['throttled', 'throttled', 'error', 'ok']);
    const sink = fakeFunction('sink', ['ok']);
    const lines: string[] = [];
    const invoker = new AsyncInvoker({
      find: (reference) => (reference === 'sink' ? sink.fn : undefined),
      configFor: (fn) =>
        fn.name === 'target'
          ? { ...asyncInvokeConfig({}, 'f'), onSuccess: 'sink' }
          : asyncInvokeConfig({}, 'f'),
      log: (_source, line) => lines.push(line),
      retryBaseDelayMs: 10,
    });
    invoker.submit(target.fn, Buffer.from('{"n":1}'), { requestId: 'req-1' });
    await expect.poll(() => sink.runs.length, { timeout: 5000 }).toBe(1);
    expect(target.runs).toEqual(['throttled:invoke', 'throttled:invoke', 'error:invoke', 'ok:retry']);
    // One request id for every attempt, as Lambda keeps it across retries.
    expect(target.requestIds).toEqual(['req-1', 'req-1', 'req-1', 'req-1']);
    expect(sink.runs).toEqual(['ok:destination']);
    expect(lines).toEqual([
      expect.stringContaining('asynchronous invocation req-1 failed (Error); retry 1 of 2 in 10 ms'),
    ]);
  });

  test('an event older than maximumEventAge is not retried: EventAgeExceeded goes to onFailure', async () => {
    const target = fakeFunction('target', ['error']);
    const sink = fakeFunction('sink', ['ok']);
    const records: unknown[] = [];
    const recording = {
      ...sink.fn,
      name: 'sink',
      invoke: async (payload: Buffer, extras?: { trigger?: string }) => {
        records.push(JSON.parse(payload.toString()));
        return sink.fn.invoke(payload, extras);
      },
    } as unknown as LambdaFunction;
    const invoker = new AsyncInvoker({
      find: () => recording,
      // A 1-minute retry would outlive a 60 s event age.
      configFor: (fn) =>
        fn.name === 'target'
          ? { ...asyncInvokeConfig({ maximumEventAge: 60 }, 'f'), onFailure: 'sink' }
          : asyncInvokeConfig({}, 'f'),
      log: () => undefined,
      retryBaseDelayMs: 60_000,
    });
    invoker.submit(target.fn, Buffer.from('{"n":2}'), { requestId: 'req-2' });
    await expect.poll(() => records.length, { timeout: 5000 }).toBe(1);
    expect(target.runs).toEqual(['error:invoke']);
    expect(records[0]).toMatchObject({
      requestContext: { requestId: 'req-2', condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
      requestPayload: { n: 2 },
      responseContext: { functionError: 'Unhandled' },
    });
  });

  test('a destination that leads back to itself is stopped after 16 invocations, as Lambda stops loops', async () => {
    const looping = fakeFunction('looping', ['ok']);
    const lines: string[] = [];
    const invoker = new AsyncInvoker({
      find: () => looping.fn,
      configFor: () => ({ ...asyncInvokeConfig({}, 'f'), onSuccess: 'looping' }),
      log: (_source, line) => lines.push(line),
      retryBaseDelayMs: 10,
    });
    invoker.submit(looping.fn, Buffer.from('{}'), { requestId: 'req-loop' });
    await expect.poll(() => lines.length, { timeout: 5000 }).toBe(1);
    expect(looping.runs).toHaveLength(16);
    expect(lines[0]).toContain('16 invocations in one chain of destinations');
  });

  test('stop drops what waits for a retry, and says how many', async () => {
    const target = fakeFunction('target', ['error']);
    const lines: string[] = [];
    const invoker = new AsyncInvoker({
      find: () => undefined,
      configFor: () => asyncInvokeConfig({}, 'f'),
      log: (_source, line) => lines.push(line),
      retryBaseDelayMs: 60_000,
    });
    invoker.submit(target.fn, Buffer.from('{}'), { requestId: 'req-3' });
    await expect.poll(() => target.runs.length).toBe(1);
    invoker.stop();
    expect(lines.at(-1)).toBe(
      '1 asynchronous invocation queued or running at stop: their retries and destinations are dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(target.runs).toEqual(['error:invoke']);
    invoker.submit(target.fn, Buffer.from('{}'), { requestId: 'req-4' });
    expect(lines.at(-1)).toBe('target: asynchronous invocation req-4 dropped: the emulator is stopping');
  });

  test('reserved concurrency 0 sends the event to onFailure at once; an instance that cannot run is said and recorded', async () => {
    for (const [outcome, said] of [
      ['no-concurrency', undefined],
      ['broken', 'asynchronous invocation req-5 could not run: the runtime image is gone'],
    ] as const) {
      const target = fakeFunction('target', [outcome]);
      const sink = recordingDestination();
      const lines: string[] = [];
      const invoker = new AsyncInvoker({
        find: () => sink.fn,
        configFor: (fn) =>
          fn.name === 'target'
            ? { ...asyncInvokeConfig({}, 'f'), onFailure: 'sink' }
            : asyncInvokeConfig({}, 'f'),
        log: (_source, line) => lines.push(line),
        retryBaseDelayMs: 10,
      });
      invoker.submit(target.fn, Buffer.from('{"n":5}'), { requestId: 'req-5' });
      await expect.poll(() => sink.records.length, { timeout: 5000 }).toBe(1);
      expect(target.runs).toHaveLength(1);
      expect(sink.records[0]).toMatchObject({
        requestContext: { requestId: 'req-5', condition: 'RetriesExhausted', approximateInvokeCount: 0 },
        requestPayload: { n: 5 },
      });
      expect(sink.records[0]).not.toHaveProperty('responseContext');
      if (said) expect(lines).toContain(said);
      invoker.stop();
    }
  });
});

describe('schedules are asynchronous invocations', () => {
  test('each firing is handed to the queue with the EventBridge event, as EventBridge invokes Lambda', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:30Z') });
    try {
      const fn = { key: 'tick', name: 'svc-dev-tick', events: [{ schedule: 'rate(1 minute)' }] };
      const [trigger] = scheduleTriggers(fn as unknown as FunctionModel, 'serverless.yml');
      const submitted: { name: string; event: Record<string, unknown>; trigger: string }[] = [];
      const scheduler = new Scheduler(
        new MemoryLogger(),
        { region: 'us-east-1', accountId: '123456789012' },
        (lambda, payload, how) =>
          submitted.push({ name: lambda.name, event: JSON.parse(payload.toString()), trigger: how }),
      );
      scheduler.add({ name: 'svc-dev-tick' } as LambdaFunction, trigger as NonNullable<typeof trigger>);
      await vi.advanceTimersByTimeAsync(61_000);
      scheduler.stop();
      expect(submitted).toEqual([
        {
          name: 'svc-dev-tick',
          event: expect.objectContaining({ source: 'aws.events', 'detail-type': 'Scheduled Event' }),
          trigger: 'schedule',
        },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
