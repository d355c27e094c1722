import { describe, expect, test } from 'vitest';
import {
  environmentFor,
  settingFor,
  settingWithPath,
  toServiceModel,
} from '../../../common/service/service-model';
import { deployUnits } from '../../../plugin/planner/deploy-units';

const location = { serviceDir: '/svc', configFile: '/svc/serverless.yml' };
const model = toServiceModel(
  {
    service: 'svc',
    provider: {
      name: 'faasport',
      memorySize: 256,
      role: 'arn:aws:iam::111111111111:role/provider',
      environment: { LEVEL: 'provider', ONLY_PROVIDER: 'p' },
      targets: {
        aws: { region: 'us-east-1', memorySize: 512, environment: { LEVEL: 'target' } },
        gcp: { region: 'europe-west1' },
      },
    },
    functions: {
      plain: { handler: 'a.handler', sourceArtifact: '127.0.0.1:5000/svc/plain:1' },
      tuned: {
        handler: 'a.handler',
        memorySize: 1024,
        environment: { LEVEL: 'function' },
        aws: { memorySize: 2048, environment: { LEVEL: 'override' } },
        sourceArtifact: { aws: '127.0.0.1:5000/svc/tuned:1', gcp: '127.0.0.1:5000/svc/tuned-gcp:1' },
        targets: ['aws', 'gcp'],
      },
      local: { handler: 'a.handler', targets: ['aws'] },
    },
  },
  location,
);
const fn = (key: string) => model.functions.find((candidate) => candidate.key === key)!;

describe('settings precedence: override → function → target → provider', () => {
  test('a per-target default beats the provider-wide one', () => {
    expect(settingFor(model, fn('plain'), 'aws', 'memorySize', 0)).toBe(512);
    expect(settingFor(model, fn('plain'), 'gcp', 'memorySize', 0)).toBe(256);
  });

  test('the function beats the target, and its per-target override beats both', () => {
    expect(settingFor(model, fn('tuned'), 'gcp', 'memorySize', 0)).toBe(1024);
    expect(settingWithPath(model, fn('tuned'), 'aws', 'memorySize')).toEqual({
      value: 2048,
      path: 'functions.tuned.aws.memorySize',
    });
    expect(settingWithPath(model, fn('plain'), 'aws', 'role')?.path).toBe('provider.role');
  });

  test('environments merge layer by layer', () => {
    expect(environmentFor(model, fn('tuned'), 'aws')).toEqual({ LEVEL: 'override', ONLY_PROVIDER: 'p' });
    expect(environmentFor(model, fn('plain'), 'aws')).toEqual({ LEVEL: 'target', ONLY_PROVIDER: 'p' });
  });
});

describe('deployUnits', () => {
  test('one unit per function and target, with the reference path for messages', () => {
    const units = deployUnits(model).map((unit) => [unit.fn.key, unit.target, unit.written, unit.path]);
    expect(units).toEqual([
      ['plain', 'aws', '127.0.0.1:5000/svc/plain:1', 'functions.plain.sourceArtifact'],
      ['plain', 'gcp', '127.0.0.1:5000/svc/plain:1', 'functions.plain.sourceArtifact'],
      ['tuned', 'aws', '127.0.0.1:5000/svc/tuned:1', 'functions.tuned.sourceArtifact.aws'],
      ['tuned', 'gcp', '127.0.0.1:5000/svc/tuned-gcp:1', 'functions.tuned.sourceArtifact.gcp'],
      ['local', 'aws', 'oci:.faasport/store:local', 'functions.local.sourceArtifact'],
    ]);
  });

  test('--target and -f narrow the units; unknown names fail before anything else', () => {
    expect(deployUnits(model, { targets: ['gcp'], function: 'tuned' }).map((u) => u.written)).toEqual([
      '127.0.0.1:5000/svc/tuned-gcp:1',
    ]);
    expect(() => deployUnits(model, { function: 'nope' })).toThrow(/function "nope" is not declared/);
    expect(() => deployUnits(model, { targets: ['azure'] })).not.toThrow();
  });

  test('a target not configured under provider.targets is refused, naming the path', () => {
    const bad = toServiceModel(
      {
        service: 'svc',
        provider: { targets: { aws: {} } },
        functions: { f: { handler: 'a.h', sourceArtifact: '127.0.0.1:5000/r:1', targets: ['azure'] } },
      },
      location,
    );
    expect(() => deployUnits(bad)).toThrow(/functions\.f\.targets lists azure, which is not configured/);
  });
});

describe('plugins', () => {
  const withPlugins = (plugins: unknown) =>
    toServiceModel({ service: 'svc', provider: { name: 'faasport' }, plugins, functions: {} }, location)
      .plugins;

  test('a list or an object with modules names the build tools that are never packed', () => {
    expect(withPlugins(['serverless-faasport', 'serverless-offline'])).toEqual([
      'serverless-faasport',
      'serverless-offline',
    ]);
    expect(withPlugins({ localPath: './plugins', modules: ['serverless-prune-plugin'] })).toEqual([
      'serverless-prune-plugin',
    ]);
    expect(withPlugins(undefined)).toEqual([]);
  });
});
