import { describe, expect, it } from 'vitest';
import {
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referenceTarget,
} from '../../../artifact/reference';
import { UserError } from '../../../common/errors';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    [
      'alpine',
      { kind: 'registry', registry: 'registry-1.docker.io', repository: 'library/alpine', tag: 'latest' },
      'docker.io/library/alpine:latest',
    ],
    [
      'alpine:3.20',
      { registry: 'registry-1.docker.io', repository: 'library/alpine', tag: '3.20' },
      'docker.io/library/alpine:3.20',
    ],
    [
      'docker.io/alpine',
      { registry: 'registry-1.docker.io', repository: 'library/alpine' },
      'docker.io/library/alpine:latest',
    ],
    [
      'index.docker.io/team/fn:v1',
      { registry: 'registry-1.docker.io', repository: 'team/fn', tag: 'v1' },
      'docker.io/team/fn:v1',
    ],
    [
      'team/fn',
      { registry: 'registry-1.docker.io', repository: 'team/fn', tag: 'latest' },
      'docker.io/team/fn:latest',
    ],
    [
      'localhost:5000/fn:v1',
      { registry: 'localhost:5000', repository: 'fn', tag: 'v1' },
      'localhost:5000/fn:v1',
    ],
    ['localhost/fn', { registry: 'localhost', repository: 'fn', tag: 'latest' }, 'localhost/fn:latest'],
    [
      '127.0.0.1:5000/team/fn:v1',
      { registry: '127.0.0.1:5000', repository: 'team/fn', tag: 'v1' },
      '127.0.0.1:5000/team/fn:v1',
    ],
    [
      `127.0.0.1:5000/team/fn@${D}`,
      { repository: 'team/fn', tag: undefined, digest: D },
      `127.0.0.1:5000/team/fn@${D}`,
    ],
    [
      `ghcr.io/o/r:v2@${D}`,
      { registry: 'ghcr.io', repository: 'o/r', tag: 'v2', digest: D },
      `ghcr.io/o/r:v2@${D}`,
    ],
    [
      'eu-docker.pkg.dev/p/repo/fn__x.y-z:1_0',
      { registry: 'eu-docker.pkg.dev', repository: 'p/repo/fn__x.y-z', tag: '1_0' },
      'eu-docker.pkg.dev/p/repo/fn__x.y-z:1_0',
    ],
    ['[::1]:5000/fn:v1', { registry: '[::1]:5000', repository: 'fn', tag: 'v1' }, '[::1]:5000/fn:v1'],
    ['oci:./store:v1', { kind: 'layout', path: './store', tag: 'v1' }, 'oci:./store:v1'],
    ['oci:/tmp/store', { kind: 'layout', path: '/tmp/store', tag: 'latest' }, 'oci:/tmp/store:latest'],
    [
      `oci:/tmp/store@${D}`,
      { kind: 'layout', path: '/tmp/store', tag: undefined, digest: D },
      `oci:/tmp/store@${D}`,
    ],
    [
      'oci:/tmp/a:b/store',
      { kind: 'layout', path: '/tmp/a:b/store', tag: 'latest' },
      'oci:/tmp/a:b/store:latest',
    ],
  ])('%s', (input, expected, display) => {
    const reference = parseReference(input);
    expect(reference).toMatchObject(expected);
    expect(formatReference(reference)).toBe(display);
    // the display form parses back to the same reference
    expect(parseReference(display)).toEqual(reference);
  });

  it.each([
    ['', 'is empty'],
    ['Team/fn', 'repository component "Team" must be lowercase'],
    ['127.0.0.1:5000/Fn:v1', 'repository component "Fn" must be lowercase'],
    ['reg.io/team//fn', 'repository component ""'],
    ['reg.io/-fn', 'repository component "-fn"'],
    ['reg.io/fn:-v1', 'tag "-v1"'],
    [`reg.io/fn:${'a'.repeat(129)}`, 'tag "'],
    ['reg.io/fn@sha256:abc', 'digest "sha256:abc" is malformed'],
    ['reg.io/fn@md5:abc', 'digest "md5:abc"'],
    ['bad_host.io:5000/fn', 'registry "bad_host.io:5000"'],
    ['reg.io:port/fn', 'registry "reg.io:port"'],
    ['reg.io/', 'the repository'],
    ['oci::v1', 'the layout folder'],
    ['oci:/x:bad tag', 'tag "bad tag"'],
    ['a b', 'whitespace'],
    [`reg.io/${'a'.repeat(260)}`, 'longer than 255'],
  ])('rejects %j naming the bad part', (input, part) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toContain(part);
    expect((caught as UserError).exitCode).toBe(2);
  });

  it('targets the digest when pinned, else the tag', () => {
    expect(referenceTarget(parseReference(`r.io/fn:v1@${D}`))).toBe(D);
    expect(referenceTarget(parseReference('r.io/fn:v1'))).toBe('v1');
  });

  it.each([
    ['127.0.0.1:5000', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['127.9.9.9', true],
    ['registry-1.docker.io', false],
    ['10.0.0.1:5000', false],
  ])('loopback %s → %s', (host, expected) => {
    expect(isLoopbackRegistry(host)).toBe(expected);
  });
});
