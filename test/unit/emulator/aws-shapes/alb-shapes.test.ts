import { describe, expect, test } from 'vitest';
import type { FunctionModel } from '../../../../common/service/service-model';
import { albEvent, albResponse } from '../../../../emulator/providers/aws/alb/alb-event';
import { albRules, matchRule } from '../../../../emulator/providers/aws/alb/alb-rules';
import { captured, request, shapeOf } from './shape';

const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/0000000000000000';

describe('ALB target events have the fields of captured ones', () => {
  test('single-value headers and query', () => {
    const event = albEvent(
      request({
        method: 'POST',
        path: '/orders/new',
        rawQuery: 'rush=1',
        headers: [
          ['Content-Type', 'application/json'],
          ['Host', '127.0.0.1:3003'],
        ],
        body: Buffer.from('{"sku":"k-1"}'),
      }),
      { targetGroupArn: arn, multiValue: false },
    );
    expect(shapeOf(event)).toEqual(shapeOf(captured('alb-target')));
    expect(event.headers).toMatchObject({ 'x-forwarded-port': '3003', 'x-forwarded-for': '127.0.0.1' });
  });

  test('multi-value headers and query, an empty body as ""', () => {
    const event = albEvent(request({ path: '/orders', rawQuery: 'tag=a&tag=b' }), {
      targetGroupArn: arn,
      multiValue: true,
    });
    expect(shapeOf(event)).toEqual(shapeOf(captured('alb-target-multi-value')));
    expect(event.multiValueQueryStringParameters).toEqual({ tag: ['a', 'b'] });
    expect(event.body).toBe('');
  });

  test('query values are passed as sent, not decoded; the last of a repeated name wins', () => {
    const event = albEvent(request({ rawQuery: 'q=a%20b&x=1&x=2' }), {
      targetGroupArn: arn,
      multiValue: false,
    });
    expect(event.queryStringParameters).toEqual({ q: 'a%20b', x: '2' });
  });
});

describe('ALB responses', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  test('statusDescription is the reason phrase; headers or multiValueHeaders by the target group', () => {
    const answer = json({
      statusCode: 201,
      statusDescription: '201 Created',
      headers: { 'X-One': 'h' },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'made',
    });
    expect(albResponse(answer, false, false)).toEqual({
      status: 201,
      statusText: 'Created',
      headers: [['x-one', 'h']],
      body: Buffer.from('made'),
    });
    expect(albResponse(answer, false, true).headers).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(
      albResponse(json({ statusCode: 200, body: 'AAE=', isBase64Encoded: true }), false, false).body,
    ).toEqual(Buffer.from([0, 1]));
  });

  test('a failed function or an unreadable answer is a 502', () => {
    for (const [payload, failed] of [
      [json({ statusCode: 200 }), true],
      [json('a string'), false],
      [json({ body: 'no status' }), false],
      [json({ statusCode: 200, body: { not: 'a string' } }), false],
      [Buffer.from('not json'), false],
    ] as const)
      expect(albResponse(payload, failed, false).status).toBe(502);
  });
});

describe('listener rules', () => {
  const fn = (key: string, alb: Record<string, unknown>): FunctionModel =>
    ({ key, events: [{ alb: { listenerArn: 'arn:listener', ...alb } }] }) as unknown as FunctionModel;
  const options = { service: 'svc', targetGroupPrefix: '', configFile: 'serverless.yml' };

  test('by priority, every condition type must hold, any value within one', () => {
    const rules = albRules(
      [
        fn('fallback', { priority: 9, conditions: { path: '/*' } }),
        fn('orders', {
          priority: 2,
          conditions: {
            path: ['/orders', '/orders/*'],
            method: ['GET', 'POST'],
            query: { debug: 'true', v: '2' },
          },
        }),
        fn('tenant', {
          priority: 1,
          conditions: { path: '/orders*', header: { name: 'X-Tenant', values: ['ac?e'] } },
        }),
        fn('admin', { priority: 3, conditions: { host: '*.example.test', ip: ['127.0.0.0/8'] } }),
      ],
      options,
    );
    const key = (overrides: Parameters<typeof request>[0]) =>
      matchRule(rules, request(overrides))?.functionKey;
    expect(key({ path: '/orders/1', headers: [['x-tenant', 'ACME']] })).toBe('tenant');
    expect(key({ path: '/orders/1', rawQuery: 'v=2' })).toBe('orders');
    expect(key({ path: '/orders/1', rawQuery: 'v=3' })).toBe('fallback');
    expect(key({ path: '/orders/1', method: 'DELETE', rawQuery: 'v=2' })).toBe('fallback');
    expect(key({ path: '/Orders/1', rawQuery: 'v=2' })).toBe('fallback');
    expect(key({ path: '/x', headers: [['Host', 'admin.example.test:3003']] })).toBe('admin');
    expect(key({ path: '/x', headers: [['Host', 'admin.example.test']], sourceIp: '10.0.0.1' })).toBe(
      'fallback',
    );
    expect(matchRule(rules.slice(1), request({ path: 'none' }))).toBeUndefined();
  });

  test('two rules of one listener with the same priority are refused, with where', () => {
    expect(() =>
      albRules(
        [
          fn('a', { priority: 4, conditions: { path: '/a' } }),
          fn('b', { priority: 4, conditions: { path: '/b' } }),
        ],
        options,
      ),
    ).toThrow(
      'serverless.yml: functions.b.events[0].alb: priority 4 is also used by functions.a on the same listener',
    );
  });
});
