import { describe, expect, test } from 'vitest';
import { cloudRunRequestHeaders } from '../../../../emulator/providers/gcp/cloud-run-headers';
import { CLOUD_TRACE_CONTEXT, cloudTraceContextOf, TRACEPARENT } from './oracles';

const all = (headers: [string, string][], name: string) =>
  headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
const one = (headers: [string, string][], name: string) => {
  const values = all(headers, name);
  expect(values, name).toHaveLength(1);
  return values[0] ?? '';
};

describe('headers Cloud Run adds to a request to an HTTP function', () => {
  test('a new trace per request: traceparent and X-Cloud-Trace-Context agree; https as the protocol', () => {
    const headers = cloudRunRequestHeaders([['Accept', '*/*']], '203.0.113.9');
    const traceparent = one(headers, 'traceparent');
    expect(traceparent).toMatch(TRACEPARENT);
    expect(traceparent).toMatch(/-01$/);
    expect(traceparent).not.toMatch(/^00-0{32}-/);
    expect(traceparent).not.toMatch(/-0{16}-01$/);
    expect(one(headers, 'x-cloud-trace-context')).toMatch(CLOUD_TRACE_CONTEXT);
    expect(one(headers, 'x-cloud-trace-context')).toBe(cloudTraceContextOf(traceparent));
    expect(one(headers, 'x-forwarded-proto')).toBe('https');
    expect(one(headers, 'x-forwarded-for')).toBe('203.0.113.9');
    expect(one(headers, 'forwarded')).toBe('for="203.0.113.9";proto=https');
    expect(one(headers, 'accept')).toBe('*/*');

    const again = one(cloudRunRequestHeaders([], '203.0.113.9'), 'traceparent');
    expect(again.slice(3, 35)).not.toBe(traceparent.slice(3, 35));
  });

  test("the client's traceparent: its trace id is kept, the span is Cloud Run's own", () => {
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const headers = cloudRunRequestHeaders([['traceparent', sent]], '127.0.0.1');
    const traceparent = one(headers, 'traceparent');
    expect(traceparent).toMatch(TRACEPARENT);
    expect(traceparent.slice(0, 36)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-');
    expect(traceparent).not.toBe(sent);
    expect(one(headers, 'x-cloud-trace-context')).toBe(cloudTraceContextOf(traceparent));
  });

  test("the client's X-Cloud-Trace-Context alone: its trace id is kept in both headers", () => {
    const headers = cloudRunRequestHeaders(
      [['X-Cloud-Trace-Context', '105445aa7843bc8bf206b12000100000/1;o=1']],
      '127.0.0.1',
    );
    expect(one(headers, 'traceparent')).toMatch(/^00-105445aa7843bc8bf206b12000100000-[0-9a-f]{16}-01$/);
    expect(one(headers, 'x-cloud-trace-context')).toBe(cloudTraceContextOf(one(headers, 'traceparent')));
  });

  test('an invalid traceparent starts a new trace', () => {
    for (const sent of [
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ]) {
      const traceparent = one(cloudRunRequestHeaders([['traceparent', sent]], '127.0.0.1'), 'traceparent');
      expect(traceparent).toMatch(TRACEPARENT);
      expect(traceparent).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(traceparent).not.toMatch(/^00-0{32}-/);
    }
  });

  test('what the client set for proto and forwarding is replaced; X-Forwarded-For is appended to', () => {
    const headers = cloudRunRequestHeaders(
      [
        ['X-Forwarded-Proto', 'http'],
        ['Forwarded', 'for=1.1.1.1'],
        ['X-Forwarded-For', '198.51.100.1'],
      ],
      '::1',
    );
    expect(one(headers, 'x-forwarded-proto')).toBe('https');
    expect(one(headers, 'forwarded')).toBe('for="[::1]";proto=https');
    expect(one(headers, 'x-forwarded-for')).toBe('198.51.100.1, ::1');
  });
});
