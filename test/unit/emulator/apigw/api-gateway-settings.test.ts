import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadService } from '../../../../common/service/load-service';
import { ApiGateway } from '../../../../emulator/providers/aws/apigw/api-gateway';
import { restEndpointConfig } from '../../../../emulator/providers/aws/apigw/rest-endpoint';
import { awsHttpTriggers } from '../../../../emulator/providers/aws/http-events';
import type { LambdaFunction } from '../../../../emulator/providers/aws/lambda-function';

const dir = mkdtempSync(join(tmpdir(), 'faasport-apigw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The service's API Gateway read as the AWS front-end reads it at start; `lines` is what it says. */
async function readApi(yml: string) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yml);
  const model = await loadService(file);
  const lines: string[] = [];
  // Only the name is read at start; no authorizer runs in these tests.
  const functions = new Map(
    model.functions.map((fn) => [fn.key, { name: fn.name } as unknown as LambdaFunction]),
  );
  const api = new ApiGateway({
    model,
    region: 'us-east-1',
    accountId: '123456789012',
    apiId: 'local',
    find: (reference) => functions.get(reference),
    log: (line) => lines.push(line),
  });
  for (const fn of model.functions)
    for (const trigger of awsHttpTriggers(fn)) {
      const invoke = async () => undefined;
      if (trigger.kind === 'rest') api.restEndpoint(fn, trigger, trigger.eventIndex, invoke);
      else api.httpApiRoute(fn, trigger, trigger.eventIndex, invoke);
    }
  return { api, lines, file };
}

const service = (body: string) => `service: svc\nprovider:\n  name: faasport\n${body}`;

describe('API Gateway settings read at start', () => {
  test('an authorizer that is no function of the service fails with the file and the event', async () => {
    const yml = service(
      'functions:\n  api:\n    handler: h.api\n    events:\n      - http: { method: get, path: x, authorizer: nope }\n',
    );
    await expect(readApi(yml)).rejects.toThrow(
      /\.yml: functions\.api\.events\[0\]\.http\.authorizer: "nope" is no function of this service$/,
    );
  });

  test('an HTTP API route naming an undefined authorizer lists the defined ones', async () => {
    const yml = service(
      '  httpApi:\n    authorizers:\n      users: { type: jwt, issuerUrl: https://i.example, audience: [a] }\nfunctions:\n  api:\n    handler: h.api\n    events:\n      - httpApi: { method: get, path: /x, authorizer: { name: user } }\n',
    );
    const error = await readApi(yml).then(
      () => undefined,
      (e: unknown) => e as Error & { hint?: string },
    );
    expect(error?.message).toMatch(
      /functions\.api\.events\[0\]\.httpApi\.authorizer: no authorizer "user" in provider\.httpApi\.authorizers$/,
    );
    expect(error?.hint).toContain('(users)');
  });

  test('API keys and the JWT opt-out are said at start; private routes without a key are warned about', async () => {
    const yml = `${service(
      '  apiGateway:\n    apiKeys: [{ name: local, value: aaaaaaaaaaaaaaaaaaaaaaaa }]\n  httpApi:\n    authorizers:\n      users: { type: jwt, issuerUrl: https://i.example, audience: [a] }\nfunctions:\n  api:\n    handler: h.api\n    events:\n      - httpApi: { method: get, path: /x, authorizer: users }\n',
    )}custom:\n  faasport:\n    jwt:\n      verifySignature: false\n`;
    const { api } = await readApi(yml);
    expect(api.startupLines()).toEqual([
      {
        text: 'API key local: aaaaaaaaaaaaaaaaaaaaaaaa — send it as x-api-key to private: true routes',
        stream: 'stdout',
      },
      {
        text: 'custom.faasport.jwt.verifySignature is false: JWT and Cognito token signatures are NOT checked (issuer, expiry, scopes and JWT audiences still are)',
        stream: 'stderr',
      },
    ]);
    const { lines } = await readApi(
      service(
        'functions:\n  api:\n    handler: h.api\n    events:\n      - http: { method: get, path: x, private: true }\n',
      ),
    );
    expect(lines).toEqual([
      'functions.api.events[0].http: private: true, but provider.apiGateway.apiKeys holds no enabled key: every request is refused (403)',
    ]);
  });

  test('a wrong custom.faasport.jwt is a clear error', async () => {
    const yml = `${service('functions:\n  api:\n    handler: h.api\n')}custom:\n  faasport:\n    jwt:\n      verifySignature: 'no'\n`;
    await expect(readApi(yml)).rejects.toThrow(
      /custom\.faasport\.jwt\.verifySignature must be true or false/,
    );
  });
});

describe('integration spellings the framework accepts', () => {
  test.each(['lambda-proxy', 'lambda_proxy', 'LAMBDA_PROXY', 'aws_proxy', 'AWS_PROXY'])(
    '%s is the proxy integration',
    (integration) => {
      expect(restEndpointConfig({ integration }, undefined, 'functions.f.events[0].http').integration).toBe(
        'proxy',
      );
    },
  );

  test.each(['lambda', 'AWS'])('%s is the lambda (non-proxy) integration', (integration) => {
    expect(restEndpointConfig({ integration }, undefined, 'functions.f.events[0].http').integration).toBe(
      'lambda',
    );
  });

  test('another integration is named as not emulated, with where it is written', () => {
    expect(() =>
      restEndpointConfig({ integration: 'mock' }, undefined, 'functions.f.events[0].http'),
    ).toThrow('functions.f.events[0].http.integration: "mock" is not emulated');
  });
});
