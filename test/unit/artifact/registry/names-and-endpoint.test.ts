import { describe, expect, test } from 'vitest';
import { registryEndpoint } from '../../../../artifact/registry/endpoint';
import { checkManifestReference, checkRepository } from '../../../../artifact/registry/names';

describe('registryEndpoint', () => {
  test.each([
    ['docker.io', undefined, 'https://registry-1.docker.io'],
    ['index.docker.io', undefined, 'https://registry-1.docker.io'],
    ['ghcr.io', undefined, 'https://ghcr.io'],
    ['127.0.0.1:5000', undefined, 'http://127.0.0.1:5000'],
    ['127.1.2.3:5000', undefined, 'http://127.1.2.3:5000'],
    ['localhost:5000', undefined, 'http://localhost:5000'],
    ['[::1]:5000', undefined, 'http://[::1]:5000'],
    ['localhost:5000', false, 'https://localhost:5000'],
    ['registry.internal:5000', true, 'http://registry.internal:5000'],
    ['10.0.0.5:5000', undefined, 'https://10.0.0.5:5000'],
  ])('%s (insecure %s) → %s', (registry, insecure, origin) => {
    expect(registryEndpoint(registry, insecure).origin).toBe(origin);
  });

  test.each([['https://ghcr.io'], ['ghcr.io/team'], ['user@ghcr.io'], [''], ['ghcr.io?x']])(
    'refuses %s',
    (registry) => {
      expect(() => registryEndpoint(registry)).toThrow(/invalid registry/);
    },
  );
});

describe('names', () => {
  test.each([['team/fn'], ['a'], ['a.b_c__d-e/f--g'], ['x/y/z']])('repository %s is valid', (name) => {
    expect(checkRepository(name, 'r')).toBe(name);
  });

  test.each([
    ['../etc'],
    ['Team/fn'],
    ['team//fn'],
    ['team/fn/'],
    ['/team'],
    ['team/fn?x'],
    ['team/../x'],
    [''],
  ])('repository %s is refused', (name) => {
    expect(() => checkRepository(name, 'r')).toThrow(/invalid repository name/);
  });

  test('manifest references are tags or digests, nothing that could escape the URL path', () => {
    expect(checkManifestReference('v1.0_rc-1', 'r')).toBe('v1.0_rc-1');
    expect(checkManifestReference(`sha256:${'0'.repeat(64)}`, 'r')).toBe(`sha256:${'0'.repeat(64)}`);
    expect(() => checkManifestReference('../../v2/_catalog', 'r')).toThrow(/invalid tag/);
    expect(() => checkManifestReference('sha256:xyz', 'r')).toThrow(/invalid digest/);
    expect(() => checkManifestReference('-v1', 'r')).toThrow(/invalid tag/);
    expect(() => checkManifestReference('a'.repeat(129), 'r')).toThrow(/invalid tag/);
  });
});
