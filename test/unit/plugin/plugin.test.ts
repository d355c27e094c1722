import { describe, expect, test } from 'vitest';
import { PROVIDER_NAME, type ProviderSchema } from '../../../common/service/schema';
import { deployedFunctionName } from '../../../common/service/service-model';
import FaasportPlugin from '../../../plugin/index';

function fakeServerless() {
  const calls = { providers: [] as [string, object][], schemas: [] as [string, ProviderSchema][] };
  const serverless = {
    setProvider: (name: string, provider: object) => calls.providers.push([name, provider]),
    configSchemaHandler: {
      defineProvider: (name: string, schema: ProviderSchema) => calls.schemas.push([name, schema]),
    },
    service: { service: 'svc', provider: { name: 'faasport' }, getAllFunctions: () => [] },
  };
  return { serverless, calls };
}

describe('FaasportPlugin', () => {
  test('registers itself as the faasport provider and defines its schema', () => {
    const { serverless, calls } = fakeServerless();
    const plugin = new FaasportPlugin(serverless, {});
    expect(calls.providers).toEqual([['faasport', plugin]]);
    expect(calls.schemas.map(([name]) => name)).toEqual(['faasport']);
    const schema = calls.schemas[0]?.[1];
    expect(Object.keys(schema?.function.properties as object)).toEqual(
      expect.arrayContaining(['sourceArtifact', 'packageType', 'targets', 'aws', 'azure', 'gcp', 'package']),
    );
  });

  test('is its own provider, so the framework skips it for services of other providers', () => {
    const { serverless } = fakeServerless();
    const plugin = new FaasportPlugin(serverless, {});
    // serverless@3 and osls read `instance.provider.constructor.getProviderName()`.
    const provider = plugin.provider as unknown as { constructor: { getProviderName(): string } };
    expect(provider.constructor.getProviderName()).toBe(PROVIDER_NAME);
  });

  test('hands each framework instance its own schema copy (the framework rewrites $refs in place)', () => {
    const first = fakeServerless();
    const second = fakeServerless();
    new FaasportPlugin(first.serverless, {});
    new FaasportPlugin(second.serverless, {});
    expect(first.calls.schemas[0]?.[1]).not.toBe(second.calls.schemas[0]?.[1]);
    expect(first.calls.schemas[0]?.[1]).toEqual(second.calls.schemas[0]?.[1]);
  });

  test('exposes itself as .default too, for loaders that prefer a default export', () => {
    // serverless@3 and osls do `mod.default ? mod.default : mod`, then `new` it; the real
    // require() of the built package is exercised by test/e2e/plugin/print.test.ts.
    expect((FaasportPlugin as unknown as { default: unknown }).default).toBe(FaasportPlugin);
  });
});

test('deployed names follow <service>-<stage>-<function>', () => {
  expect(deployedFunctionName('faasport-example', 'dev', 'hello')).toBe('faasport-example-dev-hello');
});
