import { describe, expect, test } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  isTransientNetworkError,
  parseRetryAfter,
  retryDelay,
} from '../../../../artifact/registry/retry';

describe('Retry-After', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  test.each([
    ['0', 0],
    ['5', 5000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    // a date in the past means "now"
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('%s → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  test.each([[null], [undefined], [''], ['-1'], ['1.5'], ['soon-ish?'], ['12abc']])(
    '%s is ignored',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  test('a huge Retry-After is capped; without one, backoff applies', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxRetryAfterMs: 10_000 };
    expect(retryDelay(1, policy, '86400', now)).toBe(10_000);
    expect(retryDelay(1, policy, '3', now)).toBe(3000);
    expect(retryDelay(1, policy, null, now)).toBeLessThan(policy.baseDelayMs);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

  test('grows exponentially under full jitter and is capped', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.999)).toBe(199);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(8, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe('what is retried', () => {
  test.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [501, false],
    [505, false],
    [400, false],
    [401, false],
    [404, false],
  ])('status %d → %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  test.each([
    [new TypeError('fetch failed', { cause: withCode('ECONNRESET') }), true],
    [new TypeError('fetch failed', { cause: withCode('UND_ERR_SOCKET') }), true],
    [withCode('EPIPE'), true],
    [new Error('socket hang up'), true],
    [new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }), false],
    [new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }), false],
    [new Error('digest mismatch'), false],
  ])('%s → %s', (error, expected) => {
    expect(isTransientNetworkError(error)).toBe(expected);
  });
});
