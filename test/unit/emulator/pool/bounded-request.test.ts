import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { boundedRequest } from '../../../../emulator/pool/bounded-request';
import { FakeEngine } from './fake-engine';
import { track } from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const started = () => new FakeEngine().start({} as Parameters<FakeEngine['start']>[0]);

test('an answer within the bound is the outcome, and no timer is left behind', async () => {
  const instance = await started();
  const outcome = await boundedRequest(instance, 1000, async () => 'answer');
  expect(outcome).toEqual({ kind: 'done', value: 'answer' });
  expect(vi.getTimerCount()).toBe(0);
});

test('past the bound the request is aborted and the instance is to be discarded as timed out', async () => {
  const instance = await started();
  let signal: AbortSignal | undefined;
  const outcome = track(
    boundedRequest(instance, 1000, (given) => {
      signal = given;
      return new Promise<never>(() => undefined);
    }),
  );
  await vi.advanceTimersByTimeAsync(999);
  expect(outcome.settled).toBe(0);
  await vi.advanceTimersByTimeAsync(1);
  expect(outcome.value).toEqual({ kind: 'timeout', discard: 'timeout' });
  expect(signal?.aborted).toBe(true);
});

test('an exit under the request is a crash, or out of memory when the kernel killed it', async () => {
  const crashing = await started();
  const crashed = boundedRequest(crashing, 1000, () => new Promise<never>(() => undefined));
  crashing.crash(3);
  expect(await crashed).toEqual({
    kind: 'exit',
    exit: { code: 3, signal: null, outOfMemory: false },
    discard: 'crash',
  });
  const hungry = await started();
  const killed = boundedRequest(hungry, 1000, () => new Promise<never>(() => undefined));
  hungry.outOfMemory();
  expect(await killed).toMatchObject({ kind: 'exit', discard: 'out of memory' });
});
