import { describe, expect, test } from 'vitest';
import { parseChallenges, preferredChallenge } from '../../../../artifact/registry/challenge';

describe('parseChallenges', () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    [
      // commas inside quoted values belong to the value
      'Bearer realm="https://r.example/token",scope="repository:a/b:pull,push",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://r.example/token',
            scope: 'repository:a/b:pull,push',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic realm=faasport', [{ scheme: 'basic', params: { realm: 'faasport' } }]],
    [
      // two challenges folded into one header by fetch
      'Basic realm="x, y", Bearer realm="https://t/token", service="s"',
      [
        { scheme: 'basic', params: { realm: 'x, y' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    [
      'Bearer  realm = "a\\"b" ,  service="c"',
      [{ scheme: 'bearer', params: { realm: 'a"b', service: 'c' } }],
    ],
    ['Negotiate abc123==', [{ scheme: 'negotiate', params: { token68: 'abc123==' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  test('null and garbage do not throw', () => {
    expect(parseChallenges(null)).toEqual([]);
    expect(() => parseChallenges('=,,"=="\\')).not.toThrow();
  });

  test('Bearer is preferred over Basic', () => {
    expect(preferredChallenge(parseChallenges('Basic realm="a", Bearer realm="https://b"'))?.scheme).toBe(
      'bearer',
    );
    expect(preferredChallenge(parseChallenges('Basic realm="a"'))?.scheme).toBe('basic');
    expect(preferredChallenge(parseChallenges('Digest realm="a"'))).toBeUndefined();
  });
});
