import { describe, expect, test } from 'vitest';
import { lambdaIntegrationSettings } from '../../../../emulator/providers/aws/apigw/lambda-integration/integration-settings';
import {
  integrationRequest,
  integrationResponse,
  type MappingRequest,
  UnsupportedMediaType,
} from '../../../../emulator/providers/aws/apigw/lambda-integration/lambda-integration';
import { TemplateError } from '../../../../emulator/providers/aws/apigw/lambda-integration/velocity-template';

const mapping = (body: string, contentType = 'application/json'): MappingRequest => ({
  body,
  contentType,
  method: 'POST',
  stage: 'dev',
  resourcePath: '/items/{id}',
  params: { path: { id: '7' }, querystring: { q: '1' }, header: { Host: 'h' } },
  context: {
    stage: 'dev',
    identity: { sourceIp: '127.0.0.1', user: null },
    authorizer: { principalId: 'p', team: 'blue' },
  },
});
const error = (message: string) =>
  Buffer.from(JSON.stringify({ errorMessage: message, errorType: 'Error', stackTrace: [] }));
const ok = (value: unknown) => ({ payload: Buffer.from(JSON.stringify(value)), failed: false });

describe('integration: lambda (non-proxy)', () => {
  test('without a template, the framework’s default event; forms are parsed', () => {
    const settings = lambdaIntegrationSettings({}, 'w');
    const event = JSON.parse(String(integrationRequest(settings, mapping('{"a":1}'))));
    expect(event).toEqual({
      body: { a: 1 },
      method: 'POST',
      principalId: 'p',
      stage: 'dev',
      cognitoPoolClaims: { sub: '' },
      enhancedAuthContext: { principalId: 'p', team: 'blue' },
      headers: { Host: 'h' },
      query: { q: '1' },
      path: { id: '7' },
      identity: { sourceIp: '127.0.0.1', user: '' },
      stageVariables: {},
      requestPath: '/items/{id}',
    });
    const form = JSON.parse(
      String(integrationRequest(settings, mapping('a=1&b=x+y', 'application/x-www-form-urlencoded'))),
    );
    expect(form.body).toEqual({ a: '1', b: 'x y' });
  });

  test('a type no template maps passes through (WHEN_NO_MATCH) when it is JSON, or is refused (NEVER)', () => {
    const passing = lambdaIntegrationSettings({}, 'w');
    expect(String(integrationRequest(passing, mapping('{"raw":true}', 'application/vnd.api+json')))).toBe(
      '{"raw":true}',
    );
    expect(() => integrationRequest(passing, mapping('plain words', 'text/plain'))).toThrow(TemplateError);
    const never = lambdaIntegrationSettings({ request: { passThrough: 'NEVER' } }, 'w');
    expect(() => integrationRequest(never, mapping('{}', 'text/plain'))).toThrow(UnsupportedMediaType);
    expect(JSON.parse(String(integrationRequest(never, mapping('{"a":1}')))).body).toEqual({ a: 1 });
    expect(() => lambdaIntegrationSettings({ request: { passThrough: 'SOMETIMES' } }, 'w')).toThrow(
      'w.request.passThrough: "SOMETIMES" is not a passthrough behaviour',
    );
  });

  test('a request template for the content type; one that renders no JSON is a TemplateError', () => {
    const settings = lambdaIntegrationSettings(
      {
        request: {
          template: {
            'application/json': `{"id": "$input.params('id')", "all": $input.json('$')}`,
            'text/plain': 'oops $input.body',
          },
        },
      },
      'w',
    );
    expect(JSON.parse(String(integrationRequest(settings, mapping('{"x":2}'))))).toEqual({
      id: '7',
      all: { x: 2 },
    });
    expect(() => integrationRequest(settings, mapping('hi', 'text/plain'))).toThrow(TemplateError);
  });

  test('default status codes: a success is 200, an error message with [404] a 404, an unmatched error 200', () => {
    const settings = lambdaIntegrationSettings({}, 'w');
    const success = integrationResponse(settings, ok({ a: 1 }), mapping(''));
    expect(success.status).toBe(200);
    expect(JSON.parse(String(success.body))).toEqual({ a: 1 });
    expect(success.headers).toContainEqual(['content-type', 'application/json']);
    expect(
      integrationResponse(settings, { payload: error('[404] gone'), failed: true }, mapping('')).status,
    ).toBe(404);
    expect(
      integrationResponse(
        settings,
        { payload: error('Task timed out after 3.00 seconds'), failed: true },
        mapping(''),
      ).status,
    ).toBe(504);
    expect(
      integrationResponse(settings, { payload: error('plain failure'), failed: true }, mapping('')).status,
    ).toBe(200);
    // A success whose text looks like an error still takes the default response.
    expect(integrationResponse(settings, ok('[500] not an error'), mapping('')).status).toBe(200);
  });

  test('declared status codes with templates and headers; a string result is the body', () => {
    const settings = lambdaIntegrationSettings(
      {
        response: {
          headers: {
            'X-Static': "'yes'",
            'X-From-Body': 'integration.response.body.id',
            'Content-Type': "'text/plain'",
          },
          template: "$input.path('$.id')",
          statusCodes: {
            201: { pattern: '' },
            409: {
              pattern: '.*exists.*',
              template: { 'application/json': `conflict: $input.path('$.errorMessage')` },
              headers: { 'X-Err': "'1'" },
            },
          },
        },
      },
      'w',
    );
    const created = integrationResponse(settings, ok({ id: 'abc' }), mapping(''), [
      ['access-control-allow-origin', '*'],
    ]);
    expect(created.status).toBe(201);
    expect(String(created.body)).toBe('abc');
    expect(created.headers).toEqual([
      ['X-Static', 'yes'],
      ['X-From-Body', 'abc'],
      ['Content-Type', 'text/plain'],
      ['access-control-allow-origin', '*'],
    ]);
    const conflict = integrationResponse(
      settings,
      { payload: error('item exists'), failed: true },
      mapping(''),
    );
    expect(conflict.status).toBe(409);
    expect(String(conflict.body)).toBe('conflict: item exists');
    expect(conflict.headers).toContainEqual(['X-Err', '1']);
    const plain = integrationResponse(lambdaIntegrationSettings({}, 'w'), ok('just text'), mapping(''));
    expect(String(plain.body)).toBe('"just text"');
  });

  test('a response template may override the status and headers ($context.responseOverride)', () => {
    const settings = lambdaIntegrationSettings(
      {
        response: {
          template: `#set($context.responseOverride.status = $input.path('$.code'))
#set($context.responseOverride.header.X-Request-Kind = "override")
#set($context.responseOverride.header.Content-Type = 'text/plain')
$input.path('$.message')`,
        },
      },
      'w',
    );
    const response = integrationResponse(settings, ok({ code: 418, message: 'teapot' }), mapping(''));
    expect(response.status).toBe(418);
    expect(String(response.body)).toBe('teapot');
    expect(response.headers).toEqual([
      ['X-Request-Kind', 'override'],
      ['Content-Type', 'text/plain'],
    ]);
    expect(integrationResponse(settings, ok({ code: 'x', message: 'm' }), mapping('')).status).toBe(200);
  });

  test('mistakes in settings are clear one-line errors', () => {
    expect(() =>
      lambdaIntegrationSettings(
        { response: { statusCodes: { 200: { pattern: '([' } } } },
        'functions.f.events[0].http',
      ),
    ).toThrow(
      /functions\.f\.events\[0\]\.http\.response\.statusCodes\.200\.pattern is not a regular expression/,
    );
    expect(() =>
      lambdaIntegrationSettings(
        { request: { template: { 'application/json': '#if($a)' } } },
        'functions.f.events[0].http',
      ),
    ).toThrow('functions.f.events[0].http.request.template.application/json: #if without #end (line 1)');
  });
});
