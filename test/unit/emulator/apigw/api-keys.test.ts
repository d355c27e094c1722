import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { GatewayRequest } from '../../../../emulator/gateway/http-request';
import { type ApiKey, requestApiKey } from '../../../../emulator/providers/aws/apigw/api-keys';

// The real timingSafeEqual, observed: the test checks that key values are compared through it.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const compare = vi.mocked(timingSafeEqual);
const key = (name: string, value: string, enabled = true): ApiKey => ({ name, value, id: name, enabled });
const withHeader = (value: string): GatewayRequest => ({
  method: 'GET',
  path: '/dev/x',
  rawQuery: '',
  headers: [['x-api-key', value]],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  receivedAt: new Date(),
});

describe('API key comparison', () => {
  const keys = [key('a', 'a'.repeat(24)), key('off', 'o'.repeat(24), false), key('b', 'b'.repeat(30))];
  beforeEach(() => {
    compare.mockClear();
  });

  test('every key is compared in constant time over equal-length digests, a match or not', () => {
    expect(requestApiKey(keys, withHeader('a'.repeat(24)))?.name).toBe('a');
    // The first key matches, yet all are compared: how long it takes tells nothing of which one matched.
    expect(compare).toHaveBeenCalledTimes(keys.length);
    for (const [left, right] of compare.mock.calls) {
      expect(left.byteLength).toBe(32);
      expect(right.byteLength).toBe(32);
    }
    compare.mockClear();
    // A guess of another length is compared the same way (no early exit on length).
    expect(requestApiKey(keys, withHeader('short'))).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(keys.length);
  });

  test('only an exact value of an enabled key matches', () => {
    expect(requestApiKey(keys, withHeader('b'.repeat(30)))?.name).toBe('b');
    expect(requestApiKey(keys, withHeader('a'.repeat(23)))).toBeUndefined();
    expect(requestApiKey(keys, withHeader('a'.repeat(25)))).toBeUndefined();
    expect(requestApiKey(keys, withHeader('A'.repeat(24)))).toBeUndefined();
    expect(requestApiKey(keys, withHeader('o'.repeat(24)))).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(keys.length * 5);
    // No key sent: nothing to compare.
    expect(requestApiKey(keys, withHeader(''))).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(keys.length * 5);
  });

  test('with a value shared, the first enabled key is the one, as before', () => {
    const shared = 's'.repeat(20);
    const twins = [key('disabled', shared, false), key('first', shared), key('second', shared)];
    expect(requestApiKey(twins, withHeader(shared))?.name).toBe('first');
    expect(requestApiKey(twins, withHeader(''), 'AUTHORIZER', shared)?.name).toBe('first');
  });
});
