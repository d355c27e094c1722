import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Emulator } from '../../../emulator/emulator';
import { MemoryLogger } from '../../../emulator/logger';
import { startEmulator } from '../../helpers/emulator';

/** An Application Load Balancer in front of two Lambda targets (process engine). */
const config = join(__dirname, '../../../fixtures/alb/serverless.yml');

/** The status line's reason phrase, which fetch does not keep. */
function statusLine(url: string): Promise<{ status: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '' });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('ALB', () => {
  let emulator: Emulator;
  let alb: string;

  beforeAll(async () => {
    emulator = await startEmulator(config, { engine: 'process', logger: new MemoryLogger(), albPort: 0 });
    alb = emulator.urls.alb;
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('the endpoint is printed with its rules', () => {
    const row = emulator.endpoints().find((endpoint) => endpoint.name === 'ALB');
    expect(row).toMatchObject({
      url: `${alb}/`,
      description: expect.stringContaining('1: orders, 10: site'),
    });
  });

  test('the first matching rule by priority; multi-value event and response on that target group', async () => {
    const response = await fetch(`${alb}/orders/7?tag=a&tag=b`, { headers: { 'X-Two': 'x' } });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-faasport-cold')).toBe('true');
    const { target, event } = (await response.json()) as { target: string; event: Record<string, unknown> };
    expect(target).toBe('orders');
    expect(event).toMatchObject({
      httpMethod: 'GET',
      path: '/orders/7',
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      multiValueHeaders: { 'x-two': ['x'], 'x-forwarded-proto': ['http'] },
      body: '',
      isBase64Encoded: false,
      requestContext: { elb: { targetGroupArn: expect.stringContaining(':targetgroup/balanced-orders/') } },
    });
    expect(event).not.toHaveProperty('headers');
  });

  test('a method outside the rule falls to the next rule; statusDescription is the reason phrase', async () => {
    const response = await fetch(`${alb}/orders/7?x=1&x=2`, { method: 'DELETE' });
    expect(response.status).toBe(418);
    const { target, event } = (await response.json()) as { target: string; event: Record<string, unknown> };
    expect(target).toBe('site');
    expect(event).toMatchObject({
      queryStringParameters: { x: '2' },
      headers: { 'x-forwarded-proto': 'http' },
    });
    expect(await statusLine(`${alb}/page`)).toEqual({ status: 418, reason: "I'm a teapot" });
  });

  test('a response the load balancer cannot read is a 502', async () => {
    const response = await fetch(`${alb}/page?bad=1`);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('502 Bad Gateway');
  });
});
