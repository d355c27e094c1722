import { describe, expect, test } from 'vitest';
import type { FunctionModel, ServiceModel } from '../../../common/service/service-model';
import { MemoryLogger } from '../../../emulator/logger';
import { websocketApiFor } from '../../../emulator/providers/aws/websocket/websocket-front';

const fn = (key: string, ...events: unknown[]): FunctionModel =>
  ({ key, events: events.map((websocket) => ({ websocket })) }) as unknown as FunctionModel;

function build(functions: FunctionModel[], known: string[] = functions.map((f) => f.key)) {
  return websocketApiFor({
    model: { configFile: 'serverless.yml', stage: 'dev', provider: {} } as unknown as ServiceModel,
    functions,
    has: (name) => known.includes(name),
    invoke: async () => undefined,
    region: 'eu-west-1',
    accountId: '123456789012',
    apiId: 'faasportlocal',
    logger: new MemoryLogger(),
  });
}

describe('websocket routes are checked before anything listens', () => {
  test('no websocket events: no API', () => {
    expect(build([fn('plain')].map((f) => ({ ...f, events: [] })))).toBeUndefined();
  });

  test('one function per route key', () => {
    expect(() => build([fn('a', '$default'), fn('b', { route: '$default' })])).toThrow(
      'serverless.yml: websocket route "$default" is on both functions.a and functions.b',
    );
  });

  test('an authorizer only on $connect, naming a function of the service', () => {
    expect(() => build([fn('a', { route: 'chat', authorizer: 'auth' }), fn('auth')])).toThrow(
      'functions.a: a websocket authorizer is only for $connect',
    );
    expect(() => build([fn('a', { route: '$connect', authorizer: { name: 'missing' } })])).toThrow(
      'functions.a: websocket authorizer "missing" is not a function of this service',
    );
    const api = build([fn('a', { route: '$connect', authorizer: 'auth' }), fn('auth')]);
    expect(api?.api.endpoint).toMatchObject({ name: 'WebSocket', path: '/dev', scheme: 'ws' });
  });
});
