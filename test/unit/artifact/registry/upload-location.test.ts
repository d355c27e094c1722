import { describe, expect, test } from 'vitest';
import { resolveUploadLocation, withDigestParameter } from '../../../../artifact/registry/upload-location';

const digest = `sha256:${'a'.repeat(64)}`;

describe('upload Locations', () => {
  const request = new URL('https://r.example/v2/team/fn/blobs/uploads/');

  test('relative and absolute Locations on the same host are resolved', () => {
    expect(resolveUploadLocation('/v2/team/fn/blobs/uploads/abc?_state=xyz', request, 'r.example').href).toBe(
      'https://r.example/v2/team/fn/blobs/uploads/abc?_state=xyz',
    );
    expect(
      resolveUploadLocation('https://r.example/v2/team/fn/blobs/uploads/abc', request, 'r.example').href,
    ).toBe('https://r.example/v2/team/fn/blobs/uploads/abc');
  });

  test.each([
    ['https://evil.example/v2/upload', /another host/],
    ['https://r.example:8443/v2/upload', /another host/],
    ['http://r.example/v2/upload', /downgrades https to http/],
    ['javascript:alert(1)', /not http\(s\)/],
    [null, /without a Location/],
  ])('refuses %s', (location, message) => {
    expect(() => resolveUploadLocation(location, request, 'r.example')).toThrow(message);
  });

  test('digest is appended to the existing query, which is kept byte for byte', () => {
    const location = new URL('https://r.example/v2/a/blobs/uploads/u1?_state=ab%2Bc%3D%3D&x=1');
    expect(withDigestParameter(location, digest).search).toBe(
      `?_state=ab%2Bc%3D%3D&x=1&digest=sha256%3A${'a'.repeat(64)}`,
    );
    expect(withDigestParameter(new URL('https://r.example/v2/a/blobs/uploads/u1'), digest).search).toBe(
      `?digest=sha256%3A${'a'.repeat(64)}`,
    );
  });
});
