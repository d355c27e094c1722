import { WebSiteManagementClient } from '@azure/arm-appservice';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DeployedSite } from '../../../local-cloud/azure/deployed-site';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import { writeHandler } from '../../helpers/deploy/aws-service';
import { type AzureServiceSpec, createAzureService } from '../../helpers/deploy/azure-service';
import { pushTestImage } from '../../helpers/deploy/push-image';
import { until } from '../../helpers/eventually';
import { azureToken } from '../../helpers/local-cloud-auth';
import { countCalls } from '../../helpers/request-log';
import { azurite, services, uniqueRepository } from '../../helpers/services';
import { FRAMEWORKS, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls, startSls } from '../../helpers/sls/sls-process';

const scratch = useScratchDir();

/** `Operation site` for each write call, in order (any provider: a no-op must write nothing). */
const writesOf = (requests: LoggedRequest[]) =>
  requests
    .filter((r) => r.write)
    .map((r) => `${r.operation} ${r.path.split('/sites/')[1]?.split('/')[0] ?? r.path}`);

describe.each(FRAMEWORKS)('%s: sls deploy to the local Azure plane (+ Azurite)', (_name, id, cli) => {
  let cloud: LocalCloud;
  let service: ReturnType<typeof createAzureService>;
  let spec: AzureServiceSpec;
  const sls = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runSls(cli(), service.dir, args, scratch.dir, env);
  const sites = (): Record<string, DeployedSite> =>
    Object.fromEntries(cloud.azurePlane.webApps.list().map((site) => [site.name, site]));
  const siteName = (key: string) => `${spec.service}-dev-${key}`;

  beforeAll(async () => {
    const { blobEndpoint: endpoint, account, key } = azurite();
    cloud = await startLocalCloud({
      aws: { pendingMs: 100, updateMs: 100 },
      azure: { behaviour: { provisioningMs: 200 }, blob: { endpoint, account, key } },
    });
    spec = {
      service: `fp-az-${id}`,
      repositoryPrefix: `${services().registry.host}/${uniqueRepository(`azure-${id}`)}`,
      functions: ['alpha', 'beta', 'gamma'],
    };
    service = createAzureService(spec);
    await publishForLocalCloud(service.dir, cloud, sls);
  });
  afterAll(async () => {
    await cloud?.stop();
    service?.remove();
  });

  test('a first deploy creates a function app per function, LROs polled, digests tagged last', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/alpha\s+azure\s+create/);
    const deployed = sites();
    expect(Object.keys(deployed).sort()).toEqual(['alpha', 'beta', 'gamma'].map(siteName));
    for (const site of Object.values(deployed)) {
      expect(site.kind).toBe('functionapp,linux');
      expect(site.properties.provisioningState).toBe('Succeeded');
      expect(site.tags['faasport-digest']).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(site.appSettings).toMatchObject({
        FUNCTIONS_EXTENSION_VERSION: '~4',
        FUNCTIONS_WORKER_RUNTIME: 'node',
      });
      expect(site.appSettings.AzureWebJobsStorage).toBeTruthy();
      // The app started from the package blob: the bytes are the published zip layer.
      expect(site.package).toMatchObject({ sha256: site.tags['faasport-zip-digest']?.slice(7) });
    }
    const requests = cloud.requests();
    expect(countCalls(requests, 'GetOperationStatus')).toBeGreaterThan(0);
    const writes = writesOf(requests);
    for (const key of ['alpha', 'beta', 'gamma']) {
      const mine = writes.filter((w) => w.endsWith(` ${siteName(key)}`));
      expect(mine).toEqual([
        `CreateOrUpdateSite ${siteName(key)}`,
        `SyncFunctionTriggers ${siteName(key)}`,
        `CreateOrUpdateSite ${siteName(key)}`,
      ]);
    }
    // Secrets stay out of the output.
    expect(result.output).not.toMatch(/sig=|AccountKey=/);
  });

  test('a second deploy with the same artefacts makes zero write calls', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('up to date');
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('new code published for one function: only that function app is updated', async () => {
    writeHandler(service.dir, 'beta', 2);
    expect((await sls(['publish', '-f', 'beta'])).code).toBe(0);
    const before = sites();
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/beta\s+azure\s+update-code/);
    expect(writesOf(cloud.requests())).toEqual([
      `UpdateApplicationSettings ${siteName('beta')}`,
      `SyncFunctionTriggers ${siteName('beta')}`,
      `CreateOrUpdateSite ${siteName('beta')}`,
    ]);
    const after = sites();
    expect(after[siteName('beta')]?.tags['faasport-digest']).not.toBe(
      before[siteName('beta')]?.tags['faasport-digest'],
    );
    expect(after[siteName('beta')]?.appSettings.WEBSITE_RUN_FROM_PACKAGE).not.toBe(
      before[siteName('beta')]?.appSettings.WEBSITE_RUN_FROM_PACKAGE,
    );
    expect(after[siteName('alpha')]?.restarts).toBe(before[siteName('alpha')]?.restarts);
  });

  test('an image goes the Linux container path, by digest', async () => {
    const reference = `${services().registry.host}/${uniqueRepository(`azure-img-${id}`)}:v1`;
    const digest = await pushTestImage(reference);
    spec = { ...spec, images: { pic: reference } };
    service.write(spec);
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    const site = sites()[siteName('pic')];
    expect(site?.kind).toBe('functionapp,linux,container');
    expect(site?.properties.siteConfig).toMatchObject({
      linuxFxVersion: `DOCKER|${reference.replace(/:v1$/, '')}@${digest}`,
    });
    expect(site?.appSettings.WEBSITE_RUN_FROM_PACKAGE).toBeUndefined();
    expect(writesOf(cloud.requests()).every((w) => w.endsWith(siteName('pic')))).toBe(true);
  });

  test('a failed operation is reported with what landed and how to resume; conflicts and throttling are survived', async () => {
    spec = { ...spec, functions: [...spec.functions, 'delta', 'epsilon'] };
    service.write(spec);
    for (const key of ['delta', 'epsilon']) writeHandler(service.dir, key, 1);
    for (const key of ['delta', 'epsilon']) expect((await sls(['publish', '-f', key])).code).toBe(0);
    Object.assign(cloud.azurePlane.behaviour, { failNextOperations: 1, conflictNext: 2, throttleNext: 1 });
    cloud.clearRequests();
    const failed = await sls(['deploy', '--local-cloud', '.', '--concurrency', '1']);
    Object.assign(cloud.azurePlane.behaviour, { failNextOperations: 0, conflictNext: 0, throttleNext: 0 });
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/1 of 2 changes did not complete \(1 landed\)/);
    expect(failed.output).toMatch(/site operation on .* failed/);
    expect(failed.output).toMatch(/Re-run/);
    const statuses = cloud.requests().map((r) => r.status);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    expect(statuses).toContain(429);

    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    for (const key of ['delta', 'epsilon'])
      expect(sites()[siteName(key)]?.tags['faasport-digest']).toMatch(/^sha256:/);
    cloud.clearRequests();
    expect((await sls(['deploy', '--local-cloud', '.'])).code).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('SIGINT in the middle of a deploy, then a re-run, converges', async () => {
    spec = { ...spec, functions: [...spec.functions, 'zeta', 'eta'] };
    service.write(spec);
    for (const key of ['zeta', 'eta']) writeHandler(service.dir, key, 1);
    for (const key of ['zeta', 'eta']) expect((await sls(['publish', '-f', key])).code).toBe(0);
    cloud.azurePlane.behaviour.provisioningMs = 4_000;
    cloud.clearRequests();
    const running = startSls(
      cli(),
      service.dir,
      ['deploy', '--local-cloud', '.', '--concurrency', '1'],
      scratch.dir,
    );
    await until(() => countCalls(cloud.requests(), 'CreateOrUpdateSite') >= 1);
    running.child.kill('SIGINT');
    const interrupted = await running.result;
    cloud.azurePlane.behaviour.provisioningMs = 200;
    expect(interrupted.code, interrupted.output).not.toBe(0);
    expect(interrupted.output).toMatch(/interrupted/);
    expect(interrupted.output).toMatch(/Re-run/);
    expect(sites()[siteName('eta')]).toBeUndefined();

    // The interrupted site's operation may still run: the re-run waits out its 409s.
    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    for (const site of Object.values(sites())) expect(site.tags['faasport-digest']).toMatch(/^sha256:/);
    cloud.clearRequests();
    const steady = await sls(['deploy', '--local-cloud', '.']);
    expect(steady.code, steady.output).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('sls info shows each app with its digest and host; sls invoke says it is not supported', async () => {
    const shown = await sls(['info', '--local-cloud', '.']);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.stdout).toMatch(/alpha\s+azure\s+sha256:[a-f0-9]{12}\s+Running/);
    expect(shown.stdout).toContain(`https://${siteName('alpha')}.azurewebsites.net`);
    const invoked = await sls(['invoke', '-f', 'alpha', '--target', 'azure', '--local-cloud', '.']);
    expect(invoked.code).not.toBe(0);
    expect(invoked.output).toMatch(/not supported for Azure Functions/);
    expect(invoked.output).not.toMatch(/at .*\.js:\d+/);
  });

  test('sls remove deletes only the apps this service and stage own', async () => {
    const azure = cloud.endpoints.azure;
    if (!azure) throw new Error('the local cloud has no Azure endpoints');
    const web = new WebSiteManagementClient(azureToken(cloud.endpoints.auth), azure.subscriptionId, {
      endpoint: azure.arm,
      tlsOptions: { ca: azure.caCert },
    });
    const foreign: Record<string, Record<string, string>> = {
      [siteName('foreign')]: {},
      [siteName('otherstage')]: {
        'faasport-managed-by': 'faasport',
        'faasport-service': spec.service,
        'faasport-stage': 'prod',
      },
    };
    for (const [name, tags] of Object.entries(foreign)) {
      await web.webApps.createOrUpdate(
        'rg-e2e',
        name,
        {
          location: 'westeurope',
          kind: 'functionapp,linux',
          tags,
          serverFarmId: '/subscriptions/x/resourceGroups/rg-e2e/providers/Microsoft.Web/serverfarms/p',
        },
        { updateIntervalInMs: 20 },
      );
    }
    const result = await sls(['remove', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(Object.keys(sites()).sort()).toEqual(Object.keys(foreign).sort());
  });

  test('multi-cloud: a failing Azure target does not stop AWS; the re-run finishes Azure', async () => {
    const multi: AzureServiceSpec = {
      ...spec,
      service: `fp-mc-${id}`,
      functions: ['alpha'],
      images: {},
      alsoAws: true,
    };
    service.write(multi);
    Object.assign(cloud.azurePlane.behaviour, { failNextOperations: 1 });
    const failed = await sls(['deploy', '--local-cloud', '.']);
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/azure/);
    const lambda = cloud.lambda
      .list()
      .find((fn) => fn.configuration.FunctionName === `fp-mc-${id}-dev-alpha`);
    expect(lambda?.tags['faasport:digest']).toMatch(/^sha256:/);
    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(sites()[`fp-mc-${id}-dev-alpha`]?.tags['faasport-digest']).toBe(lambda?.tags['faasport:digest']);
  });
});
