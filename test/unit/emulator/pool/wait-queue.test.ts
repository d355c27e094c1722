import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { WaitQueue } from '../../../../emulator/pool/wait-queue';
import { track } from './harness';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const expired = () => new Error('expired');

test('grants go to the longest waiting request, each waiter settled exactly once', async () => {
  const queue = new WaitQueue<string>();
  const a = track(queue.wait(1000, expired));
  const b = track(queue.wait(1000, expired));
  expect(queue.grant('one')).toBe(true);
  expect(queue.grant('two')).toBe(true);
  expect(queue.grant('three')).toBe(false);
  await vi.advanceTimersByTimeAsync(5000);
  expect([a.value, b.value]).toEqual(['one', 'two']);
  expect([a.settled, b.settled]).toEqual([1, 1]);
});

test('a waiter expires at its own bound, counted from when it joined, and then takes no grant', async () => {
  const queue = new WaitQueue<string>();
  const start = Date.now();
  const a = track(queue.wait(1000, expired));
  await vi.advanceTimersByTimeAsync(400);
  const b = track(queue.wait(1000, expired));
  await vi.advanceTimersByTimeAsync(600);
  expect((a.error as Error).message).toBe('expired');
  expect(a.at).toBe(start + 1000);
  expect(queue.grant('late')).toBe(true);
  await vi.advanceTimersByTimeAsync(0);
  expect(b.value).toBe('late');
  expect(a.settled).toBe(1);
  expect(queue.length).toBe(0);
});

test('rejectAll refuses every waiter once and stops their timers', async () => {
  const queue = new WaitQueue<string>();
  const a = track(queue.wait(1000, expired));
  queue.rejectAll(() => new Error('closing'));
  await vi.advanceTimersByTimeAsync(2000);
  expect((a.error as Error).message).toBe('closing');
  expect(a.settled).toBe(1);
  expect(vi.getTimerCount()).toBe(0);
});
