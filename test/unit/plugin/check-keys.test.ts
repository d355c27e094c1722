import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../common/errors';
import { toServiceModel } from '../../../common/service/service-model';

const location = { serviceDir: '/svc', configFile: '/svc/serverless.yml' };
const service = (fn: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  service: 'svc',
  provider: { name: 'faasport', runtime: 'nodejs22.x' },
  functions: { hello: fn },
  ...extra,
});

function refusal(config: Record<string, unknown>): string {
  try {
    toServiceModel(config, location);
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('names in serverless.yml', () => {
  it('refuses a typo of a function setting with its path and the name it meant', () => {
    expect(refusal(service({ handlr: 'h.handler' }))).toBe(
      '/svc/serverless.yml: functions.hello.handlr: unknown function setting "handlr" — did you mean "handler"?',
    );
    expect(refusal(service({ handler: 'h.handler', memorysize: 256 }))).toContain(
      'did you mean "memorySize"?',
    );
  });

  it('refuses an event type written in the wrong case or one letter off', () => {
    expect(refusal(service({ handler: 'h.handler', events: [{ httpapi: 'GET /x' }] }))).toBe(
      '/svc/serverless.yml: functions.hello.events[0].httpapi: unknown event type "httpapi" — did you mean "httpApi"?',
    );
    expect(
      refusal(service({ handler: 'h.handler', events: [{ http: 'GET /a' }, { shedule: 'rate(1 minute)' }] })),
    ).toContain('functions.hello.events[1].shedule: unknown event type "shedule" — did you mean "schedule"?');
  });

  it('names every typo in one refusal, short names included', () => {
    const message = refusal({
      ...service({ handlr: 'h.handler', events: [{ htp: { path: 'x', method: 'get' } }] }),
      functions: {
        hello: { handlr: 'h.handler', events: [{ htp: { path: 'x', method: 'get' } }] },
        other: { handler: 'h.other', timout: 3 },
      },
    });
    expect(message.split('\n')).toEqual([
      '/svc/serverless.yml: 3 unknown names:',
      '  functions.hello.handlr: unknown function setting "handlr" — did you mean "handler"?',
      '  functions.hello.events[0].htp: unknown event type "htp" — did you mean "http"?',
      '  functions.other.timout: unknown function setting "timout" — did you mean "timeout"?',
    ]);
  });

  it('refuses typos at the top level and in a faasport provider', () => {
    expect(refusal(service({ handler: 'h.handler' }, { fuctions: {} }))).toContain(
      'did you mean "functions"?',
    );
    expect(
      refusal({ ...service({ handler: 'h.handler' }), provider: { name: 'faasport', runtim: 'nodejs22.x' } }),
    ).toContain('provider.runtim: unknown provider setting "runtim" — did you mean "runtime"?');
  });

  it('accepts what the framework and its plugins know, and warns about names that are no typo', () => {
    const model = toServiceModel(
      service(
        {
          handler: 'h.handler',
          layers: ['arn:aws:lambda:us-east-1:1:layer:x:1'],
          iamRoleStatements: [],
          events: [{ httpApi: 'GET /x' }, { websocket: '$connect' }],
          warmup: { enabled: true },
        },
        { plugins: ['serverless-offline'], resources: {} },
      ),
      location,
    );
    expect(model.warnings).toEqual([
      'functions.hello.warmup: function setting "warmup" is not one faasport knows; it is ignored',
    ]);
  });
});
