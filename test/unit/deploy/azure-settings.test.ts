import { describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import { toServiceModel } from '../../../common/service/service-model';
import { redact } from '../../../plugin/deployers/azure/azure-deployer';
import { siteNameOf } from '../../../plugin/deployers/azure/azure-names';
import { azureFunctionSettings, azureTargetSettings } from '../../../plugin/deployers/azure/azure-settings';
import {
  mergeAppSettings,
  observedManagedSettings,
  packageDigestOf,
  siteEnvelope,
  siteShape,
} from '../../../plugin/deployers/azure/site-spec';
import { type DeployUnit, deployUnits } from '../../../plugin/planner/deploy-units';

const location = { serviceDir: '/svc', configFile: '/svc/serverless.yml' };
const PLAN = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/serverfarms/p1';
const HEX = 'a'.repeat(64);

function modelWith(azure: Record<string, unknown>, fn: Record<string, unknown> = {}) {
  return toServiceModel(
    {
      service: 'svc',
      provider: {
        name: 'faasport',
        runtime: 'nodejs22.x',
        targets: { azure: { location: 'westeurope', resourceGroup: 'rg', plan: { id: PLAN }, ...azure } },
      },
      functions: { api: { sourceArtifact: 'oci:store:api', ...fn } },
    },
    location,
  );
}

const failure = (run: () => unknown): UserError => {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
};

describe('Azure site names', () => {
  test('lowercase letters, digits and hyphens, 2–60 characters, idempotent', () => {
    expect(siteNameOf('My_Service-dev-getUser')).toBe('my-service-dev-getuser');
    const long = siteNameOf(`svc-dev-${'x'.repeat(80)}`);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$/);
    expect(long.length).toBeLessThanOrEqual(60);
    expect(siteNameOf(long)).toBe(long);
    expect(siteNameOf(`svc-dev-${'x'.repeat(80)}a`)).not.toBe(long);
  });
});

describe('Azure target and function settings', () => {
  test('Flex Consumption is refused with the reason and what to use instead', () => {
    const error = failure(() => azureTargetSettings(modelWith({ plan: { sku: 'flex' } }), {}, undefined));
    expect(error.message).toContain('provider.targets.azure.plan.sku');
    expect(error.message).toMatch(/functionAppConfig\.deployment\.storage/);
    expect(error.hint).toMatch(/Premium|Dedicated/);
  });

  test('plan id, subscription, resource group and location are required; the env supplies a subscription', () => {
    expect(
      failure(() => azureTargetSettings(modelWith({ plan: { id: 'p1' } }), {}, undefined)).message,
    ).toContain('plan.id');
    expect(failure(() => azureTargetSettings(modelWith({}), {}, undefined)).message).toContain(
      'subscriptionId',
    );
    const settings = azureTargetSettings(modelWith({}), { AZURE_SUBSCRIPTION_ID: 'sub-env' }, undefined);
    expect(settings).toMatchObject({
      subscriptionId: 'sub-env',
      container: 'faasport-packages',
      planId: PLAN,
    });
    expect(
      failure(() =>
        azureTargetSettings(
          modelWith({ resourceGroup: undefined }),
          { AZURE_SUBSCRIPTION_ID: 's' },
          undefined,
        ),
      ).message,
    ).toContain('resourceGroup');
  });

  test('runtimes map to a worker and a Linux stack; unknown ones, arm64 and reserved settings are refused', () => {
    const settingsOf = (fn: Record<string, unknown>) => {
      const model = modelWith({}, fn);
      return azureFunctionSettings(model, deployUnits(model)[0] as DeployUnit);
    };
    expect(settingsOf({})).toMatchObject({
      worker: 'node',
      linuxFxVersion: 'Node|22',
      functionTimeout: undefined,
    });
    expect(settingsOf({ runtime: 'python3.12', timeout: 3600 })).toMatchObject({
      worker: 'python',
      linuxFxVersion: 'Python|3.12',
      functionTimeout: '01:00:00',
    });
    expect(settingsOf({ azure: { runtime: 'node' } })).toMatchObject({ linuxFxVersion: 'Node|22' });
    expect(failure(() => settingsOf({ runtime: 'ruby3.3' })).message).toContain('functions.api.runtime');
    expect(failure(() => settingsOf({ architecture: 'arm64' })).message).toContain(
      'functions.api.architecture',
    );
    expect(failure(() => settingsOf({ environment: { AzureWebJobsStorage: 'x' } })).message).toContain(
      'functions.api.environment.AzureWebJobsStorage',
    );
  });
});

describe('Azure site spec', () => {
  test('the package URL names the zip digest: the code fingerprint', () => {
    expect(packageDigestOf(`https://a.blob.core.windows.net/c/site/sha256-${HEX}.zip?sv=1&sig=x`)).toBe(
      `sha256:${HEX}`,
    );
    expect(packageDigestOf('https://a/c/site/package.zip')).toBeUndefined();
    expect(packageDigestOf(undefined)).toBeUndefined();
  });

  test('read-merge-write keeps foreign settings and drops what faasport managed and no longer wants', () => {
    const existing = {
      OTHER: 'kept',
      OLD_VAR: 'gone',
      WEBSITE_RUN_FROM_PACKAGE: 'old',
      FAASPORT_MANAGED_SETTINGS: 'OLD_VAR',
    };
    const merged = mergeAppSettings(existing, { NEW_VAR: '1' }, { kind: 'zip', packageSetting: 'new' });
    expect(merged).toEqual({
      OTHER: 'kept',
      NEW_VAR: '1',
      WEBSITE_RUN_FROM_PACKAGE: 'new',
      FAASPORT_MANAGED_SETTINGS: 'NEW_VAR',
    });
    expect(observedManagedSettings(merged)).toEqual({ NEW_VAR: '1' });
    expect(mergeAppSettings(merged, {}, { kind: 'image' })).not.toHaveProperty('WEBSITE_RUN_FROM_PACKAGE');
  });

  test('an image from ACR pulls with the managed identity; the envelope is a Linux container app', () => {
    const target = {
      subscriptionId: 's',
      resourceGroup: 'rg',
      location: 'westeurope',
      planId: PLAN,
      storageAccount: undefined,
      container: 'c',
    };
    const fn = { worker: 'node', linuxFxVersion: 'Node|22', environment: {}, functionTimeout: undefined };
    const shape = siteShape(target, fn, {
      image: true,
      registry: 'myacr.azurecr.io',
      linuxFxVersion: `DOCKER|myacr.azurecr.io/orders@sha256:${HEX}`,
    });
    const envelope = siteEnvelope(target, shape, { t: '1' }, { FUNCTIONS_EXTENSION_VERSION: '~4' });
    expect(envelope).toMatchObject({
      kind: 'functionapp,linux,container',
      reserved: true,
      identity: { type: 'SystemAssigned' },
      siteConfig: {
        linuxFxVersion: `DOCKER|myacr.azurecr.io/orders@sha256:${HEX}`,
        acrUseManagedIdentityCreds: true,
        appSettings: [{ name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }],
      },
    });
    expect(siteEnvelope(target, shape, {}, undefined).siteConfig).not.toHaveProperty('appSettings');
  });

  test('errors never carry a SAS token', () => {
    expect(redact(`GET http://127.0.0.1:1/acct/c/x.zip?sv=2020&sig=SECRET failed`)).toBe(
      'GET http://127.0.0.1:1/acct/c/x.zip?<redacted> failed',
    );
  });
});
