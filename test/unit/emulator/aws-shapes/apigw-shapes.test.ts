import { describe, expect, test } from 'vitest';
import { httpApiEvent, httpApiResponse } from '../../../../emulator/providers/aws/apigw/http-api-event';
import { acceptsBinary, restEvent, restResponse } from '../../../../emulator/providers/aws/apigw/rest-event';
import { captured, request, shapeOf } from './shape';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('API Gateway REST (payload 1.0)', () => {
  const put = request({
    method: 'PUT',
    path: '/prod/orders/o-17',
    rawQuery: 'dry=yes',
    headers: [
      ['Accept', 'application/json'],
      ['Host', '127.0.0.1:3000'],
      ['User-Agent', 'probe/1.0'],
    ],
    body: Buffer.from('{"qty":3}'),
  });
  const event = restEvent(put, {
    stage: 'prod',
    resource: '/orders/{orderId}',
    pathParameters: { orderId: 'o-17' },
    path: '/orders/o-17',
    binaryMediaTypes: [],
    accountId: '123456789012',
    apiId: 'faasportlocal',
    operationName: 'replaceOrder',
  });

  test('has every field of a captured event, with the same types', () => {
    expect(shapeOf(event)).toEqual(shapeOf(captured('rest-proxy')));
  });

  test('operationName comes from operationId; domainPrefix is the API id on a bare address', () => {
    const context = event.requestContext as Record<string, unknown>;
    expect(context.operationName).toBe('replaceOrder');
    expect(context.domainPrefix).toBe('faasportlocal');
    const named = restEvent(request({ headers: [['Host', 'api.example.test']] }), {
      stage: 'dev',
      resource: '/',
      pathParameters: {},
      path: '/',
      binaryMediaTypes: [],
      accountId: '123456789012',
      apiId: 'faasportlocal',
    });
    expect(named.requestContext).toMatchObject({ domainPrefix: 'api', domainName: 'api.example.test' });
    expect(named.requestContext).not.toHaveProperty('operationName');
  });

  test('a body of a binaryMediaTypes type arrives base64, others as text', () => {
    const png = request({
      method: 'POST',
      headers: [['Content-Type', 'image/png']],
      body: Buffer.from([137, 80, 78, 71]),
    });
    const context = {
      stage: 'dev',
      resource: '/',
      pathParameters: {},
      path: '/',
      binaryMediaTypes: ['image/*'],
      accountId: '1',
      apiId: 'a',
    };
    expect(restEvent(png, context)).toMatchObject({ isBase64Encoded: true, body: 'iVBORw==' });
    expect(restEvent(png, { ...context, binaryMediaTypes: [] })).toMatchObject({ isBase64Encoded: false });
  });

  test('isBase64Encoded results are decoded only when the request accepts a binary media type', () => {
    const result = json({ statusCode: 200, body: 'iVBORw==', isBase64Encoded: true });
    const accepting = request({ headers: [['Accept', 'text/html, image/png;q=0.9']] });
    expect(acceptsBinary(accepting, ['image/png'])).toBe(true);
    expect(acceptsBinary(accepting, [])).toBe(false);
    expect(acceptsBinary(request({ headers: [['Accept', '*/*']] }), ['image/png'])).toBe(false);
    expect(restResponse(result, false, true).body).toEqual(Buffer.from([137, 80, 78, 71]));
    expect(restResponse(result, false, false).body.toString()).toBe('iVBORw==');
  });

  test('headers and multiValueHeaders merge; a pair in both appears once', () => {
    const response = restResponse(
      json({
        statusCode: 200,
        headers: { 'X-One': 'a', 'X-Both': 'same', 'X-Mixed': 'h' },
        multiValueHeaders: { 'x-both': ['same'], 'X-Mixed': ['m1', 'm2'] },
        body: '',
      }),
      false,
    );
    expect(response.headers).toEqual([
      ['x-both', 'same'],
      ['x-mixed', 'm1'],
      ['x-mixed', 'm2'],
      ['x-mixed', 'h'],
      ['x-one', 'a'],
    ]);
  });
});

describe('HTTP API (payload 2.0) and function URLs', () => {
  const post = request({
    method: 'POST',
    path: '/carts/c-5',
    rawQuery: 'coupon=spring',
    headers: [
      ['Content-Type', 'application/json'],
      ['Host', '127.0.0.1:3000'],
      ['User-Agent', 'probe/2.0'],
      ['Cookie', 'sid=s-77'],
    ],
    body: Buffer.from('{"item":"pen"}'),
  });

  test('an HTTP API event has every field of a captured one, with the same types', () => {
    const event = httpApiEvent(post, {
      routeKey: 'POST /carts/{cartId}',
      pathParameters: { cartId: 'c-5' },
      accountId: '123456789012',
      apiId: 'faasportlocal',
    });
    expect(shapeOf(event)).toEqual(shapeOf(captured('http-api-v2')));
  });

  test('a function URL event: null pathParameters and stageVariables, URL-shaped domain and ids', () => {
    const event = httpApiEvent(
      request({
        method: 'POST',
        path: '/reports/weekly',
        rawQuery: 'format=csv',
        headers: [
          ['Content-Type', 'text/plain'],
          ['Host', '127.0.0.1:3000'],
          ['User-Agent', 'probe/3.0'],
          ['Cookie', 'theme=dark'],
        ],
        body: Buffer.from('hello report'),
      }),
      {
        routeKey: '$default',
        pathParameters: {},
        accountId: '123456789012',
        apiId: 'faasportlocal',
        functionUrl: { urlId: '0123456789abcdef0123456789abcdef', region: 'eu-west-1' },
      },
    );
    expect(shapeOf(event)).toEqual(shapeOf(captured('function-url')));
    expect(event).toMatchObject({ pathParameters: null, stageVariables: null });
    expect(event.requestContext).toMatchObject({
      apiId: '0123456789abcdef0123456789abcdef',
      domainPrefix: '0123456789abcdef0123456789abcdef',
      domainName: '0123456789abcdef0123456789abcdef.lambda-url.eu-west-1.on.aws',
    });
  });

  test('a plain string result is the body as it is, not JSON-quoted', () => {
    const response = httpApiResponse(json('hello there'), false);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello there');
    const object = httpApiResponse(json({ a: 1 }), false);
    expect(object.body.toString()).toBe('{"a":1}');
  });
});
