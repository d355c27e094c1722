import { describe, expect, test } from 'vitest';
import type { GatewayRequest } from '../../../../emulator/gateway/http-request';
import {
  httpApiCorsSettings,
  httpApiPreflight,
  isPreflight,
  originMatches,
  withHttpApiCors,
} from '../../../../emulator/providers/aws/apigw/http-api-cors';
import {
  restCorsSettings,
  restIntegrationCorsHeaders,
  restPreflight,
} from '../../../../emulator/providers/aws/apigw/rest-cors';

const request = (method: string, headers: [string, string][]): GatewayRequest => ({
  method,
  path: '/x',
  rawQuery: '',
  headers,
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  receivedAt: new Date(),
});
const header = (headers: [string, string][], name: string) => headers.find(([n]) => n === name)?.[1];

describe('REST CORS (the framework’s OPTIONS mock)', () => {
  test('cors: true allows any origin, the default headers and the path’s methods', () => {
    const settings = restCorsSettings(true, 'x');
    if (!settings) throw new Error('settings expected');
    const response = restPreflight(
      settings,
      ['POST', 'GET'],
      request('OPTIONS', [['Origin', 'https://a.example']]),
    );
    expect(response.status).toBe(200);
    expect(header(response.headers, 'access-control-allow-origin')).toBe('*');
    expect(header(response.headers, 'access-control-allow-methods')).toBe('OPTIONS,POST,GET');
    expect(header(response.headers, 'access-control-allow-headers')).toBe(
      'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent,X-Amzn-Trace-Id',
    );
    expect(header(response.headers, 'access-control-allow-credentials')).toBeUndefined();
  });

  test('a list of origins echoes the request’s origin when listed, else the first', () => {
    const settings = restCorsSettings(
      {
        origins: ['https://a.example', 'https://*.b.example'],
        allowCredentials: true,
        maxAge: 60,
        cacheControl: 'max-age=60',
      },
      'x',
    );
    if (!settings) throw new Error('settings expected');
    const listed = restPreflight(
      settings,
      ['GET'],
      request('OPTIONS', [['origin', 'https://app.b.example']]),
    );
    expect(header(listed.headers, 'access-control-allow-origin')).toBe('https://app.b.example');
    expect(header(listed.headers, 'access-control-allow-credentials')).toBe('true');
    expect(header(listed.headers, 'access-control-max-age')).toBe('60');
    expect(header(listed.headers, 'cache-control')).toBe('max-age=60');
    // The framework maps a static header onto lambda-integration responses: every origin, joined.
    expect(restIntegrationCorsHeaders(settings)).toEqual([
      ['access-control-allow-origin', 'https://a.example,https://*.b.example'],
      ['access-control-allow-credentials', 'true'],
    ]);
    expect(restCorsSettings(undefined, 'x')).toBeUndefined();
    expect(restCorsSettings(false, 'x')).toBeUndefined();
  });

  test('one origin is sent whatever the request’s; a written list echoes a matching origin', () => {
    const single = restCorsSettings({ origin: 'https://one.example' }, 'x');
    const anyListed = restCorsSettings({ origins: ['*'] }, 'x');
    const commaList = restCorsSettings({ origin: 'https://a.example, https://b.example' }, 'x');
    if (!single || !anyListed || !commaList) throw new Error('settings expected');
    const from = (origin: string) => request('OPTIONS', [['Origin', origin]]);
    expect(
      header(
        restPreflight(single, ['GET'], from('https://two.example')).headers,
        'access-control-allow-origin',
      ),
    ).toBe('https://one.example');
    expect(
      header(
        restPreflight(anyListed, ['GET'], from('https://two.example')).headers,
        'access-control-allow-origin',
      ),
    ).toBe('https://two.example');
    expect(
      header(
        restPreflight(commaList, ['GET'], from('https://b.example')).headers,
        'access-control-allow-origin',
      ),
    ).toBe('https://b.example');
    expect(
      header(
        restPreflight(commaList, ['GET'], from('https://c.example')).headers,
        'access-control-allow-origin',
      ),
    ).toBe('https://a.example');
  });

  test('origin wildcards match one label pattern, case-insensitively', () => {
    expect(originMatches('https://*.example.com', 'https://a.example.com')).toBe(true);
    expect(originMatches('https://*.example.com', 'https://A.EXAMPLE.com')).toBe(true);
    expect(originMatches('https://*.example.com', 'http://a.example.com')).toBe(false);
    expect(originMatches('https://*.example.com', 'https://a.example.com.evil.io')).toBe(false);
    expect(originMatches('https://example.com', 'https://example.com')).toBe(true);
  });
});

describe('HTTP API CORS (answered by API Gateway)', () => {
  const settings = httpApiCorsSettings({
    allowedOrigins: ['https://app.example.com'],
    allowedHeaders: ['authorization'],
    allowedMethods: ['GET', 'POST'],
    allowCredentials: true,
    exposedResponseHeaders: ['x-id'],
    maxAge: 300,
  });
  if (!settings) throw new Error('settings expected');

  test('a preflight is OPTIONS with Origin and Access-Control-Request-Method', () => {
    expect(
      isPreflight(
        request('OPTIONS', [
          ['Origin', 'x'],
          ['Access-Control-Request-Method', 'GET'],
        ]),
      ),
    ).toBe(true);
    expect(isPreflight(request('OPTIONS', [['Origin', 'x']]))).toBe(false);
    expect(
      isPreflight(
        request('GET', [
          ['Origin', 'x'],
          ['Access-Control-Request-Method', 'GET'],
        ]),
      ),
    ).toBe(false);
  });

  test('the preflight answers 204 with the configuration for an allowed origin, bare for another', () => {
    const ok = httpApiPreflight(settings, request('OPTIONS', [['Origin', 'https://app.example.com']]));
    expect(ok.status).toBe(204);
    expect(Object.fromEntries(ok.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization',
      'access-control-expose-headers': 'x-id',
      'access-control-max-age': '300',
    });
    const refused = httpApiPreflight(settings, request('OPTIONS', [['Origin', 'https://evil.example']]));
    expect(refused.status).toBe(204);
    expect(refused.headers).toEqual([]);
  });

  test('responses lose the function’s CORS headers and get the configured ones', () => {
    const response = {
      status: 200,
      headers: [
        ['access-control-allow-origin', '*'],
        ['x-other', '1'],
      ] as [string, string][],
      body: Buffer.from('{}'),
    };
    const allowed = withHttpApiCors(
      settings,
      request('GET', [['Origin', 'https://app.example.com']]),
      response,
    );
    expect(allowed.headers).toEqual([
      ['x-other', '1'],
      ['access-control-allow-origin', 'https://app.example.com'],
      ['access-control-allow-credentials', 'true'],
      ['access-control-expose-headers', 'x-id'],
    ]);
    expect(withHttpApiCors(settings, request('GET', []), response).headers).toEqual([['x-other', '1']]);
  });

  test('cors: true allows every origin and the routes’ methods; credentials with "*" are refused as API Gateway does', () => {
    const open = httpApiCorsSettings(true, ['GET', 'POST', 'GET']);
    expect(open?.allowedOrigins).toEqual(['*']);
    expect(open?.allowedMethods).toEqual(['OPTIONS', 'GET', 'POST']);
    expect(httpApiCorsSettings(true, ['GET', 'ANY'])?.allowedMethods).toEqual(['*']);
    if (!open) throw new Error('settings expected');
    expect(
      header(
        httpApiPreflight(open, request('OPTIONS', [['Origin', 'https://x.example']])).headers,
        'access-control-allow-origin',
      ),
    ).toBe('*');
    expect(() => httpApiCorsSettings({ allowCredentials: true })).toThrow(
      /allowCredentials cannot be used with the origin "\*"/,
    );
  });
});
