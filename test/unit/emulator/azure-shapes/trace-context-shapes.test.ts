import { describe, expect, test } from 'vitest';
import type { RegisteredFunction } from '../../../../emulator/providers/azure/azure-app';
import { customHandlerProtocol } from '../../../../emulator/providers/azure/custom-handler-protocol';
import { nodeWorkerProtocol } from '../../../../emulator/providers/azure/node-worker-protocol';
import { invocationTraceParent } from '../../../../emulator/providers/azure/trace-context';
import { TRACEPARENT } from './host-values';

const queueFn: RegisteredFunction = {
  name: 'jobs',
  bindings: { job: { type: 'queueTrigger', direction: 'in', name: 'job', queueName: 'jobs' } },
};
const httpFn: RegisteredFunction = {
  name: 'echo',
  bindings: {
    req: { type: 'httpTrigger', direction: 'in', name: 'req' },
    res: { type: 'http', direction: 'out', name: 'res' },
  },
};
const traceParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const input = {
  functionName: 'jobs',
  invocationId: '6f1c2a8e-0000-4000-8000-000000000001',
  inputData: [{ name: 'job', data: { string: 'x' } }],
  triggerMetadata: {},
  reason: 'test',
  traceParent,
};
const header = (headers: [string, string][], name: string) =>
  headers.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);

describe('the trace context of an invocation', () => {
  test('a new W3C traceparent per invocation', () => {
    const a = invocationTraceParent();
    const b = invocationTraceParent();
    expect(a).toMatch(TRACEPARENT);
    expect(a).toMatch(/-01$/);
    expect(a.slice(3, 35)).not.toBe(b.slice(3, 35));
    expect(a).not.toMatch(/^00-0{32}-/);
  });

  test("an HTTP caller's traceparent: the trace id is kept, the span is the host's", () => {
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const ours = invocationTraceParent([['TraceParent', sent]]);
    expect(ours).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(ours).not.toBe(sent);
    expect(invocationTraceParent([['traceparent', 'nonsense']])).not.toContain('nonsense');
    expect(invocationTraceParent([['traceparent', 'nonsense']])).toMatch(TRACEPARENT);
  });

  test('Node worker: the invocation request carries traceContext.traceParent', () => {
    const request = nodeWorkerProtocol('app', 'index.js').request(input, queueFn);
    const body = JSON.parse(request.body.toString('utf8')) as { traceParent?: string };
    expect(body.traceParent).toBe(traceParent);
  });

  test('custom handler: the host’s HTTP call carries the traceparent header', () => {
    const protocol = customHandlerProtocol(
      { executable: 'node', arguments: [], enableForwardingHttpRequest: false },
      [queueFn],
    );
    expect(header(protocol.request(input, queueFn).headers, 'traceparent')).toEqual([traceParent]);
  });

  test("custom handler forwarding a request: the caller's traceparent goes through, else the host's is added", () => {
    const protocol = customHandlerProtocol(
      { executable: 'node', arguments: [], enableForwardingHttpRequest: true },
      [httpFn],
    );
    const httpRequest = (headers: [string, string][]) => ({
      method: 'GET',
      path: '/api/echo',
      rawQuery: '',
      headers,
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      receivedAt: new Date(),
    });
    const plainCall = protocol.request(
      { ...input, functionName: 'echo', httpRequest: httpRequest([]) },
      httpFn,
    );
    expect(header(plainCall.headers, 'traceparent')).toEqual([traceParent]);
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const traced = protocol.request(
      { ...input, functionName: 'echo', httpRequest: httpRequest([['traceparent', sent]]) },
      httpFn,
    );
    expect(header(traced.headers, 'traceparent')).toEqual([sent]);
  });
});
