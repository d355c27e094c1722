import { describe, expect, it } from 'vitest';
import { functionsToPublish } from '../../../../artifact/publish/service-functions';
import { formatReference } from '../../../../artifact/reference';
import { toServiceModel } from '../../../../common/service/service-model';

const model = (config: Record<string, unknown>) =>
  toServiceModel({ service: 'svc', ...config }, { serviceDir: '/svc', configFile: '/svc/serverless.yml' });

const refs = (config: Record<string, unknown>, only?: string) =>
  functionsToPublish(model(config), only).map((fn) => [
    fn.name,
    fn.references.map(formatReference),
    fn.patterns,
  ]);

describe('functionsToPublish', () => {
  it('publishes each function to its sourceArtifact and copies to targets whose registry differs', () => {
    expect(
      refs({
        provider: {
          targets: { aws: {}, azure: { registry: 'acr.azurecr.io' }, gcp: { registry: 'eu-docker.pkg.dev' } },
        },
        package: { patterns: ['!tests/**'] },
        functions: {
          a: { sourceArtifact: '127.0.0.1:5000/team/a:1', package: { patterns: ['!docs/**'] } },
          b: { sourceArtifact: '127.0.0.1:5000/team/b:1', targets: ['aws', 'azure'] },
          c: {
            sourceArtifact: {
              aws: '1.dkr.ecr.us-east-1.amazonaws.com/c:1',
              gcp: 'eu-docker.pkg.dev/p/r/c:1',
            },
          },
        },
      }),
    ).toEqual([
      [
        'a',
        ['127.0.0.1:5000/team/a:1', 'acr.azurecr.io/team/a:1', 'eu-docker.pkg.dev/team/a:1'],
        ['!tests/**', '!docs/**'],
      ],
      ['b', ['127.0.0.1:5000/team/b:1', 'acr.azurecr.io/team/b:1'], ['!tests/**']],
      ['c', ['1.dkr.ecr.us-east-1.amazonaws.com/c:1', 'eu-docker.pkg.dev/p/r/c:1'], ['!tests/**']],
    ]);
  });

  it('uses provider.registry for host-less references and the local store when there is no sourceArtifact', () => {
    expect(
      refs({
        provider: { registry: '127.0.0.1:5000', localStore: 'build/store' },
        functions: { a: { sourceArtifact: 'team/a:2' }, b: {} },
      }),
    ).toEqual([
      ['a', ['127.0.0.1:5000/team/a:2'], []],
      ['b', ['oci:build/store:b'], []],
    ]);
    expect(refs({ functions: { c: {} } })).toEqual([['c', ['oci:.faasport/store:c'], []]]);
  });

  it('selects one function with -f and names the bad ones', () => {
    const config = { functions: { a: { sourceArtifact: 'r.io/a:1' }, b: { sourceArtifact: 'r.io/b:1' } } };
    expect(refs(config, 'b')).toEqual([['b', ['r.io/b:1'], []]]);
    expect(() => refs(config, 'zz')).toThrow('function "zz" is not declared in /svc/serverless.yml');
    expect(() => refs({ functions: { a: { sourceArtifact: 'r.io/A:1' } } })).toThrow(
      '/svc/serverless.yml: functions.a.sourceArtifact invalid artefact reference "r.io/A:1": repository component "A" must be lowercase',
    );
    expect(() => refs({ functions: { a: { sourceArtifact: { aws: 42 } } } })).toThrow(
      'functions.a.sourceArtifact.aws must be an OCI reference string',
    );
    expect(() => refs({ functions: { a: { package: { patterns: 'src/**' } } } })).toThrow(
      '/svc/serverless.yml: functions.a.package.patterns must be a list of glob strings',
    );
  });
});
