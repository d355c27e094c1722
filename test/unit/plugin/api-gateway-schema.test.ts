import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { checkServiceKeys } from '../../../common/service/check-keys';
import { type Config, useScratchSchemaCache, validateWithFramework } from './framework-validator';

const fixture = join(__dirname, '../../../fixtures/apigw-features/serverless.yml');

let restoreSchemaCache: () => void;
beforeAll(() => {
  restoreSchemaCache = useScratchSchemaCache();
});
afterAll(() => restoreSchemaCache());

const withEvent = (event: Record<string, unknown>, provider: Record<string, unknown> = {}): Config => ({
  service: 'faasport-unit',
  configValidationMode: 'error',
  provider: { name: 'faasport', ...provider },
  functions: { hello: { handler: 'aws.handler', events: [event] } },
});

describe('API Gateway settings, validated by serverless@3', () => {
  test('accepts a service with authorizers, API keys, lambda integration templates, CORS and validation', async () => {
    const config = parse(readFileSync(fixture, 'utf8')) as Config;
    await expect(validateWithFramework(config)).resolves.toBeUndefined();
    expect(checkServiceKeys(config, 'serverless.yml').warnings).toEqual([]);
  });

  test.each([
    [
      'a misspelt authorizer field',
      { http: { method: 'get', path: 'a', authorizer: { nmae: 'auth' } } },
      {},
      "at 'functions.hello.events.0.http.authorizer': unrecognized property 'nmae'",
    ],
    [
      'an integration faasport does not run',
      { http: { method: 'get', path: 'a', integration: 'http-proxy' } },
      {},
      "at 'functions.hello.events.0.http",
    ],
    [
      'a status code that is no status',
      {
        http: {
          method: 'get',
          path: 'a',
          integration: 'lambda',
          response: { statusCodes: { 2000: { pattern: '' } } },
        },
      },
      {},
      "at 'functions.hello.events.0.http",
    ],
    [
      'a short API key value',
      { http: 'GET a' },
      { apiGateway: { apiKeys: [{ name: 'k', value: 'short' }] } },
      "at 'provider.apiGateway.apiKeys.0",
    ],
    [
      'a misspelt HTTP API CORS field',
      { httpApi: 'GET /a' },
      { httpApi: { cors: { allowOrigins: ['*'] } } },
      "at 'provider.httpApi.cors",
    ],
    [
      'an HTTP API authorizer type that does not exist',
      { httpApi: 'GET /a' },
      { httpApi: { authorizers: { a: { type: 'token' } } } },
      "at 'provider.httpApi.authorizers.a.type'",
    ],
  ])('rejects %s', async (_what, event, provider, path) => {
    await expect(validateWithFramework(withEvent(event, provider))).rejects.toThrow(path);
  });
});
