import { describe, expect, test } from 'vitest';
import { TokenCache } from '../../../../artifact/registry/token-cache';

describe('TokenCache', () => {
  const host = 'https://registry.example';
  const pull = ['repository:a:pull'];
  const push = ['repository:a:pull,push'];

  test('returns a token until it expires (expires_in honoured, renewed a little early)', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    cache.set(host, pull, 'tok-1', 300);
    expect(cache.get(host, pull)).toBe('tok-1');
    now += 290_000;
    expect(cache.get(host, pull)).toBe('tok-1');
    now += 6_000;
    expect(cache.get(host, pull)).toBeUndefined();
  });

  test('a token without expires_in lives the default 60 seconds', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set(host, pull, 'tok', undefined);
    now = 50_000;
    expect(cache.get(host, pull)).toBe('tok');
    now = 60_000;
    expect(cache.get(host, pull)).toBeUndefined();
  });

  test('keys are per host and scope; a wider token serves a narrower need, not the reverse', () => {
    const cache = new TokenCache(() => 0);
    cache.set(host, push, 'wide', 60);
    expect(cache.get(host, pull)).toBe('wide');
    expect(cache.get('https://other.example', pull)).toBeUndefined();
    const narrow = new TokenCache(() => 0);
    narrow.set(host, pull, 'narrow', 60);
    expect(narrow.get(host, push)).toBeUndefined();
  });

  test('a refused token can be forgotten', () => {
    const cache = new TokenCache(() => 0);
    cache.set(host, pull, 'revoked', 60);
    cache.delete(host, 'revoked');
    expect(cache.get(host, pull)).toBeUndefined();
  });
});
