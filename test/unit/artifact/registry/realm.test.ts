import { describe, expect, test } from 'vitest';
import { checkRealm } from '../../../../artifact/registry/realm';

describe('checkRealm', () => {
  test.each([
    ['https://auth.docker.io/token', 'https://registry-1.docker.io'],
    ['https://ghcr.io/token', 'https://ghcr.io'],
    // a loopback registry may use a token service on loopback (another port is fine)
    ['http://127.0.0.1:5001/token', 'http://127.0.0.1:5000'],
    ['http://localhost:5001/token', 'http://127.0.0.1:5000'],
    // a private registry may host its own token service
    ['https://10.0.0.5/token', 'https://10.0.0.5:5000'],
    // a plain-http registry (explicitly insecure) may use a plain-http realm
    ['http://auth.internal.example/token', 'http://registry.internal.example'],
  ])('accepts %s for %s', (realm, registry) => {
    expect(checkRealm(realm, registry).href).toBe(new URL(realm).href);
  });

  test.each([
    ['file:///etc/passwd', 'https://r.example', /only http\(s\)/],
    ['ftp://r.example/token', 'https://r.example', /only http\(s\)/],
    ['http://r.example/token', 'https://r.example', /plain http/],
    ['https://127.0.0.1/token', 'https://r.example', /loopback or private/],
    ['https://localhost/token', 'https://r.example', /loopback or private/],
    ['https://169.254.169.254/latest/meta-data', 'https://r.example', /loopback or private/],
    ['https://192.168.1.10/token', 'https://10.0.0.5', /loopback or private/],
    ['https://[::1]/token', 'https://r.example', /loopback or private/],
    ['https://user:pw@r.example/token', 'https://r.example', /embeds credentials/],
    ['not a url', 'https://r.example', /invalid token realm/],
  ])('refuses %s for %s', (realm, registry, message) => {
    expect(() => checkRealm(realm, registry)).toThrow(message);
  });
});
