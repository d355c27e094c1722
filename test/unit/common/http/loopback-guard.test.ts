import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackOrigin, nonLoopbackReason } from '../../../../common/http/loopback-guard';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('loopback guard', () => {
  it('knows loopback hosts with and without ports', () => {
    for (const host of [
      'localhost',
      'LOCALHOST:3000',
      'api.localhost:80',
      '127.0.0.1',
      '127.1.2.3:9',
      '[::1]:3000',
      '::1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '10.0.0.1',
      '0.0.0.0:3000',
      '127.0.0.1.evil.example',
      '[::2]:3000',
      '',
      undefined,
    ]) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });

  it('knows loopback origins', () => {
    expect(isLoopbackOrigin('http://127.0.0.1:3000')).toBe(true);
    expect(isLoopbackOrigin('https://localhost')).toBe(true);
    expect(isLoopbackOrigin('null')).toBe(false);
    expect(isLoopbackOrigin('https://attacker.example')).toBe(false);
    expect(isLoopbackOrigin('file:///tmp/x.html')).toBe(false);
  });

  it('refuses a rebound Host and a foreign Origin, and lets scripts through', () => {
    expect(nonLoopbackReason(request({ host: '127.0.0.1:4566' }))).toBeUndefined();
    expect(nonLoopbackReason(request({ host: 'rebind.attacker.example:4566' }))).toMatch(/Host "rebind/);
    expect(
      nonLoopbackReason(request({ host: '127.0.0.1:4566', origin: 'https://attacker.example' })),
    ).toMatch(/Origin/);
    expect(nonLoopbackReason(request({ host: '192.168.1.5:3000' }), ['192.168.1.5'])).toBeUndefined();
  });
});
