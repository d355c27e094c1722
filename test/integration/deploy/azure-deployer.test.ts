import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import type { DeployedSite } from '../../../local-cloud/azure/deployed-site';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { deployService } from '../../helpers/deploy/deploy-in-process';
import { pushTestImage } from '../../helpers/deploy/push-image';
import { publishFiles, serviceFolder } from '../../helpers/deploy/service-folder';
import { azureToken } from '../../helpers/local-cloud-auth';
import { azurite, services, uniqueRepository } from '../../helpers/services';

const PLAN = '/subscriptions/sub-it/resourceGroups/rg-it/providers/Microsoft.Web/serverfarms/premium-it';

let cloud: LocalCloud;
beforeEach(async () => {
  const { blobEndpoint: endpoint, account, key } = azurite();
  cloud = await startLocalCloud({
    azure: { behaviour: { provisioningMs: 100 }, blob: { endpoint, account, key } },
  });
});
afterEach(async () => {
  await cloud.stop();
});

const service = (yml: string) =>
  serviceFolder('faasport-azure-it-', yml, { 'fn/index.js': 'module.exports = async () => "ok";\n' });

/** Rewrites the handler to answer `text` and publishes it; returns the manifest digest. */
async function publish(dir: string, reference: string, text = 'v1'): Promise<string> {
  await writeFile(join(dir, 'fn', 'index.js'), `module.exports = async () => ${JSON.stringify(text)};\n`);
  return (await publishFiles(dir, reference, ['!**', 'fn/**'])).manifest.digest;
}

/** A minimal single-layer linux/amd64 image; returns its manifest digest. */
const pushImage = (reference: string) => pushTestImage(reference, 512);

function yml(functions: string, target = `plan: { sku: premium, id: ${PLAN} }`): string {
  return `service: azit
provider:
  name: faasport
  runtime: nodejs22.x
  targets:
    azure:
      location: westeurope
      resourceGroup: rg-it
      ${target}
functions:
${functions}
`;
}

const deploy = (dir: string) => deployService(dir, cloud.endpoints);

const azureWrites = () =>
  cloud
    .requests()
    .filter((r) => r.provider === 'azure' && r.write)
    .map((r) => `${r.operation} ${r.path.split('/sites/')[1]?.split('/')[0] ?? ''}`.trim());
const sites = (): Record<string, DeployedSite> =>
  Object.fromEntries(cloud.azurePlane.webApps.list().map((site) => [site.name, site]));

describe('Azure Functions deployer against the local ARM plane and Azurite', () => {
  test('zip: created with its package blob + SAS, required settings, digest tagged last; no-op after', async () => {
    const dir = await service(
      yml(`  hello:
    sourceArtifact: oci:store:hello
    environment: { GREETING: hi }
    timeout: 90`),
    );
    const digest = await publish(dir, 'oci:store:hello');
    const { outcomes, plan } = await deploy(dir);
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(plan.rows.map((r) => `${r.name} ${r.action}`)).toEqual(['azit-dev-hello create']);
    const site = sites()['azit-dev-hello'];
    expect(site?.kind).toBe('functionapp,linux');
    expect(site?.properties.serverFarmId).toBe(PLAN);
    expect(site?.properties.siteConfig).toMatchObject({ linuxFxVersion: 'Node|22' });
    expect(site?.tags).toMatchObject({
      'faasport-managed-by': 'faasport',
      'faasport-service': 'azit',
      'faasport-stage': 'dev',
      'faasport-digest': digest,
    });
    const zipDigest = site?.tags['faasport-zip-digest'] ?? '';
    const settings = site?.appSettings ?? {};
    expect(settings).toMatchObject({
      FUNCTIONS_EXTENSION_VERSION: '~4',
      FUNCTIONS_WORKER_RUNTIME: 'node',
      GREETING: 'hi',
      AzureFunctionsJobHost__functionTimeout: '00:01:30',
    });
    expect(settings.AzureWebJobsStorage).toContain('AccountName=devstoreaccount1');
    expect(settings.WEBSITE_RUN_FROM_PACKAGE).toMatch(
      new RegExp(`/faasport-packages/azit-dev-hello/sha256-${zipDigest.slice(7)}\\.zip\\?.*sig=`),
    );
    // The platform fetched the package through the SAS: the bytes are the published zip layer.
    expect(site?.package).toMatchObject({ sha256: zipDigest.slice(7) });
    const writes = azureWrites();
    expect(writes).toEqual([
      'CreateOrUpdateSite azit-dev-hello',
      'SyncFunctionTriggers azit-dev-hello',
      'CreateOrUpdateSite azit-dev-hello',
    ]);
    expect(cloud.requests().filter((r) => r.operation === 'GetOperationStatus').length).toBeGreaterThan(0);

    cloud.clearRequests();
    const again = await deploy(dir);
    expect(again.plan.rows.map((r) => r.action)).toEqual(['no-op']);
    expect(azureWrites()).toEqual([]);
  });

  test('new code → new blob and setting; an env change merges app settings and keeps foreign ones', async () => {
    const dir = await service(
      yml(`  a:
    sourceArtifact: oci:store:a
  b:
    sourceArtifact: oci:store:b`),
    );
    await publish(dir, 'oci:store:a');
    await publish(dir, 'oci:store:b');
    await deploy(dir);
    const web = new WebSiteManagementClient(
      azureToken(cloud.endpoints.auth),
      cloud.endpoints.azure?.subscriptionId ?? '',
      { endpoint: cloud.endpoints.azure?.arm ?? '', tlsOptions: { ca: cloud.endpoints.azure?.caCert ?? '' } },
    );
    const before = (await web.webApps.listApplicationSettings('rg-it', 'azit-dev-a')).properties ?? {};
    await web.webApps.updateApplicationSettings('rg-it', 'azit-dev-a', {
      properties: { ...before, SET_BY_SOMEONE_ELSE: 'keep me' },
    });
    const newDigest = await publish(dir, 'oci:store:a', 'v2');
    cloud.clearRequests();
    const { plan } = await deploy(dir);
    expect(plan.rows.map((r) => `${r.function} ${r.action}`).sort()).toEqual(['a update-code', 'b no-op']);
    expect(azureWrites()).toEqual([
      'UpdateApplicationSettings azit-dev-a',
      'SyncFunctionTriggers azit-dev-a',
      'CreateOrUpdateSite azit-dev-a',
    ]);
    const a = sites()['azit-dev-a'];
    expect(a?.tags['faasport-digest']).toBe(newDigest);
    expect(a?.appSettings.SET_BY_SOMEONE_ELSE).toBe('keep me');
    expect(a?.package).toMatchObject({ sha256: a?.tags['faasport-zip-digest']?.slice(7) });

    await writeFile(
      join(dir, 'serverless.yml'),
      yml(`  a:
    sourceArtifact: oci:store:a
    environment: { MODE: fast }
  b:
    sourceArtifact: oci:store:b`),
    );
    cloud.clearRequests();
    const changed = await deploy(dir);
    expect(changed.plan.rows.find((r) => r.function === 'a')?.action).toBe('update-config');
    expect(azureWrites()).toEqual(['UpdateApplicationSettings azit-dev-a']);
    expect(sites()['azit-dev-a']?.appSettings).toMatchObject({
      MODE: 'fast',
      SET_BY_SOMEONE_ELSE: 'keep me',
    });
  });

  test('image: a Linux container app by digest, no package blob', async () => {
    const registry = services().registry.host;
    const reference = `${registry}/${uniqueRepository('azure-image')}:v1`;
    const manifestDigest = await pushImage(reference);
    const [host, ...rest] = reference.split('/');
    const repository = rest.join('/').replace(/:v1$/, '');
    const dir = await service(
      yml(`  img:
    sourceArtifact: ${reference}`),
    );
    const { outcomes } = await deploy(dir);
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const site = sites()['azit-dev-img'];
    expect(site?.kind).toBe('functionapp,linux,container');
    expect(site?.properties.siteConfig).toMatchObject({
      linuxFxVersion: `DOCKER|${host}/${repository}@${manifestDigest}`,
      acrUseManagedIdentityCreds: false,
    });
    expect(site?.appSettings.WEBSITE_RUN_FROM_PACKAGE).toBeUndefined();
    expect(site?.identity?.type).toBe('SystemAssigned');
    cloud.clearRequests();
    await deploy(dir);
    expect(azureWrites()).toEqual([]);
  });

  test('a failed operation is reported with the site; the next deploy converges', async () => {
    const dir = await service(
      yml(`  flaky:
    sourceArtifact: oci:store:flaky`),
    );
    await publish(dir, 'oci:store:flaky');
    cloud.azurePlane.behaviour.failNextOperations = 1;
    const failed = await deploy(dir);
    expect(failed.outcomes[0]?.ok).toBe(false);
    expect(failed.outcomes[0]?.error).toMatch(/site operation on azit-dev-flaky failed/);
    expect(sites()['azit-dev-flaky']?.tags['faasport-digest']).toBeUndefined();
    const resumed = await deploy(dir);
    expect(resumed.outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(sites()['azit-dev-flaky']?.tags['faasport-digest']).toMatch(/^sha256:/);
    cloud.clearRequests();
    expect((await deploy(dir)).plan.rows.map((r) => r.action)).toEqual(['no-op']);
  });

  test('conflicts, throttling and server errors are survived', async () => {
    const dir = await service(
      yml(`  sturdy:
    sourceArtifact: oci:store:sturdy`),
    );
    await publish(dir, 'oci:store:sturdy');
    Object.assign(cloud.azurePlane.behaviour, { conflictNext: 2, throttleNext: 1, serverErrorNext: 1 });
    const { outcomes } = await deploy(dir);
    expect(outcomes.map((o) => o.error)).toEqual([undefined]);
    const statuses = cloud.requests().map((r) => r.status);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    expect(statuses).toContain(429);
    expect(statuses).toContain(500);
    expect(sites()['azit-dev-sturdy']?.tags['faasport-digest']).toMatch(/^sha256:/);
  });

  test('a removed function is deleted; sites of others are left alone', async () => {
    const dir = await service(
      yml(`  keep:
    sourceArtifact: oci:store:keep
  drop:
    sourceArtifact: oci:store:drop`),
    );
    await publish(dir, 'oci:store:keep');
    await publish(dir, 'oci:store:drop');
    await deploy(dir);
    await writeFile(join(dir, 'serverless.yml'), yml('  keep:\n    sourceArtifact: oci:store:keep'));
    cloud.clearRequests();
    const { plan } = await deploy(dir);
    expect(plan.rows.map((r) => `${r.name} ${r.action}`).sort()).toEqual([
      'azit-dev-drop delete',
      'azit-dev-keep no-op',
    ]);
    expect(azureWrites()).toEqual(['DeleteSite azit-dev-drop']);
    expect(Object.keys(sites()).sort()).toEqual(['azit-dev-keep']);
  });

  test('Flex Consumption and a missing plan are refused before any call', async () => {
    for (const [target, path] of [
      ['plan: { sku: flex }', 'provider.targets.azure.plan.sku'],
      ['plan: { sku: premium }', 'provider.targets.azure.plan.id'],
    ] as const) {
      const dir = await service(yml('  f:\n    sourceArtifact: oci:store:f', target));
      cloud.clearRequests();
      const attempt = deploy(dir);
      await expect(attempt).rejects.toBeInstanceOf(UserError);
      await expect(attempt).rejects.toThrow(path);
      expect(cloud.requests()).toEqual([]);
    }
  });
});
