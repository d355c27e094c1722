import { describe, expect, test } from 'vitest';
import type { GatewayRequest } from '../../../../emulator/gateway/http-request';
import { schemaProblem } from '../../../../emulator/providers/aws/apigw/json-schema';
import {
  requestValidationOf,
  validateRequest,
} from '../../../../emulator/providers/aws/apigw/request-validation';

const request = (body: string, headers: [string, string][] = [], rawQuery = ''): GatewayRequest => ({
  method: 'POST',
  path: '/dev/x',
  rawQuery,
  headers,
  body: Buffer.from(body),
  sourceIp: '127.0.0.1',
  protocol: 'HTTP/1.1',
  receivedAt: new Date(),
});

describe('JSON schema (draft 4) for request models', () => {
  const schema = {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    definitions: { tag: { type: 'string', pattern: '^[a-z]+$' } },
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 5 },
      count: { type: 'integer', minimum: 0, maximum: 10, exclusiveMaximum: true },
      kind: { enum: ['a', 'b'] },
      tags: { type: 'array', items: { $ref: '#/definitions/tag' }, uniqueItems: true, maxItems: 2 },
      either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      one: { oneOf: [{ type: 'number' }, { type: 'integer' }] },
    },
  };

  test.each([
    [{ name: 'ok' }, undefined],
    [{ name: 'ok', count: 9, kind: 'a', tags: ['x', 'y'], either: null }, undefined],
    [{}, '$.name is required'],
    [{ name: '' }, '$.name is shorter than 1'],
    [{ name: 'toolong' }, '$.name is longer than 5'],
    [{ name: 'a', count: 1.5 }, '$.count should be integer'],
    [{ name: 'a', count: 10 }, '$.count is above the maximum'],
    [{ name: 'a', count: -1 }, '$.count is below the minimum'],
    [{ name: 'a', kind: 'c' }, '$.kind is not one of the allowed values'],
    [{ name: 'a', tags: ['X'] }, '$.tags[0] does not match ^[a-z]+$'],
    [{ name: 'a', tags: ['x', 'x'] }, '$.tags has duplicate items'],
    [{ name: 'a', either: 3 }, '$.either matches no schema of anyOf'],
    [{ name: 'a', one: 3 }, '$.one should match exactly one schema of oneOf'],
    [{ name: 'a', extra: 1 }, '$.extra is not allowed'],
    [[], '$ should be object'],
  ])('%j → %s', (value, problem) => {
    expect(schemaProblem(schema, value)).toBe(problem);
  });
});

describe('request validation', () => {
  const validation = requestValidationOf(
    {
      request: {
        parameters: { headers: { 'x-trace': true }, querystrings: { mode: { required: true }, page: false } },
        schemas: {
          'application/json': { schema: { type: 'object', required: ['a'] }, name: 'In' },
          'text/csv': 'Csv',
        },
      },
    },
    { Csv: { schema: { type: 'string' } } },
    'functions.f.events[0].http',
  );
  if (!validation) throw new Error('validation expected');

  test('missing required parameters are listed in one 400', () => {
    const response = validateRequest(validation, request('{"a":1}'), {}, () => {});
    expect(response?.status).toBe(400);
    expect(JSON.parse(String(response?.body))).toEqual({
      message: 'Missing required request parameters: [x-trace, mode]',
    });
  });

  test('the body is checked against the model of its content type (JSON by default)', () => {
    const problems: string[] = [];
    const headers: [string, string][] = [['X-Trace', '1']];
    expect(
      validateRequest(validation, request('{"a":1}', headers, 'mode=x'), {}, (p) => problems.push(p)),
    ).toBeUndefined();
    const invalid = validateRequest(validation, request('{"b":1}', headers, 'mode=x'), {}, (p) =>
      problems.push(p),
    );
    expect(invalid?.status).toBe(400);
    expect(JSON.parse(String(invalid?.body))).toEqual({ message: 'Invalid request body' });
    expect(
      validateRequest(validation, request('not json', headers, 'mode=x'), {}, (p) => problems.push(p))
        ?.status,
    ).toBe(400);
    expect(problems).toEqual(['$.a is required', 'the body is not JSON']);
    const csv = validateRequest(
      validation,
      request('1,2', [...headers, ['content-type', 'text/csv']], 'mode=x'),
      {},
      () => {},
    );
    expect(csv?.status).toBe(400);
    const plain = validateRequest(
      validation,
      request('hi', [...headers, ['content-type', 'text/plain']], 'mode=x'),
      {},
      () => {},
    );
    expect(plain).toBeUndefined();
  });

  test('nothing to validate is undefined; a model name that is not defined is a clear error', () => {
    expect(
      requestValidationOf({ request: { parameters: { querystrings: { a: false } } } }, undefined, 'w'),
    ).toBeUndefined();
    expect(() =>
      requestValidationOf(
        { request: { schemas: { 'application/json': 'Nope' } } },
        {},
        'functions.f.events[0].http',
      ),
    ).toThrow(
      'functions.f.events[0].http.request.schemas.application/json: no model "Nope" in provider.apiGateway.request.schemas',
    );
  });
});
