import { createHash } from 'node:crypto';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type AzurePlane, startAzurePlane } from '../../../local-cloud/azure/azure-plane';
import { RequestLog } from '../../../local-cloud/request-log';
import { azureToken, bearerHeader, planeAccess } from '../../helpers/local-cloud-auth';
import { azurite } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const access = planeAccess();
const token = azureToken(access.auth);
const RG = 'rg-test';
const PLAN = '/subscriptions/sub-1/resourceGroups/rg-test/providers/Microsoft.Web/serverfarms/premium1';

let log: RequestLog;
let plane: AzurePlane;
let client: WebSiteManagementClient;

async function start(stateDir?: string): Promise<void> {
  const { blobEndpoint: endpoint, account, key } = azurite();
  plane = await startAzurePlane(
    { host: '127.0.0.1', log, access, ...(stateDir ? { stateDir } : {}) },
    { behaviour: { provisioningMs: 150 }, blob: { endpoint, account, key } },
  );
  client = new WebSiteManagementClient(token, 'sub-1', {
    endpoint: plane.endpoints.arm,
    tlsOptions: { ca: plane.endpoints.caCert },
  });
}

beforeEach(async () => {
  log = new RequestLog();
  await start();
});
afterEach(async () => {
  await plane.stop();
});

const site = (extra: Record<string, unknown> = {}) => ({
  location: 'westeurope',
  kind: 'functionapp,linux',
  tags: { owner: 'test' },
  serverFarmId: PLAN,
  reserved: true,
  siteConfig: {
    linuxFxVersion: 'Node|22',
    appSettings: [{ name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }],
  },
  ...extra,
});
const poll = { updateIntervalInMs: 20 };
const operations = (name: string) => log.list().filter((r) => r.operation === name);
/** Sites carry no provisioningState in the SDK's model: read it from the plane's own record. */
const provisioning = (name: string) =>
  plane.webApps.list().find((s) => s.name === name)?.properties.provisioningState;

describe('local Azure Resource Manager (Microsoft.Web sites) with the official client over HTTPS', () => {
  test('a site PUT is a long-running operation: Azure-AsyncOperation polled to Succeeded, then the site', async () => {
    const created = await client.webApps.createOrUpdate(RG, 'orders-fn', site(), poll);
    expect(created.name).toBe('orders-fn');
    expect(created.kind).toBe('functionapp,linux');
    expect(created.tags).toEqual({ owner: 'test' });
    expect(created.siteConfig?.linuxFxVersion).toBe('Node|22');
    expect(provisioning('orders-fn')).toBe('Succeeded');
    expect(operations('CreateOrUpdateSite').map((r) => r.status)).toEqual([201]);
    expect(operations('GetOperationStatus').length).toBeGreaterThanOrEqual(1);

    const got = await client.webApps.get(RG, 'orders-fn');
    expect(got.serverFarmId).toBe(PLAN);
    expect(got.defaultHostName).toBe('orders-fn.azurewebsites.net');
    // App settings are their own resource: the site GET does not carry them.
    expect(got.siteConfig?.appSettings ?? undefined).toBeUndefined();
    const settings = await client.webApps.listApplicationSettings(RG, 'orders-fn');
    expect(settings.properties).toEqual({ FUNCTIONS_EXTENSION_VERSION: '~4' });

    const again = await client.webApps.createOrUpdate(RG, 'orders-fn', site({ tags: { v: '2' } }), poll);
    expect(again.tags).toEqual({ v: '2' });
    expect(operations('CreateOrUpdateSite').map((r) => r.status)).toEqual([201, 200]);
  });

  test('a missing site is a RestError 404 ResourceNotFound; a delete of it is idempotent', async () => {
    await expect(client.webApps.get(RG, 'nope')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    await client.webApps.delete(RG, 'nope');
    await client.webApps.createOrUpdate(RG, 'gone-fn', site(), poll);
    await client.webApps.delete(RG, 'gone-fn');
    await expect(client.webApps.get(RG, 'gone-fn')).rejects.toMatchObject({ statusCode: 404 });
    expect(operations('DeleteSite').map((r) => r.status)).toEqual([204, 200]);
  });

  test('app settings: list is a read (POST), update replaces them all', async () => {
    await client.webApps.createOrUpdate(RG, 'settings-fn', site(), poll);
    await client.webApps.updateApplicationSettings(RG, 'settings-fn', { properties: { A: '1', B: '2' } });
    await client.webApps.updateApplicationSettings(RG, 'settings-fn', { properties: { B: '3' } });
    const listed = await client.webApps.listApplicationSettings(RG, 'settings-fn');
    expect(listed.properties).toEqual({ B: '3' });
    expect(operations('ListApplicationSettings').every((r) => !r.write)).toBe(true);
    expect(operations('UpdateApplicationSettings').every((r) => r.write)).toBe(true);
  });

  test('a write while the site operation runs gets 409 Conflict', async () => {
    plane.behaviour.provisioningMs = 2_000;
    const first = client.webApps.createOrUpdate(RG, 'busy-fn', site(), poll);
    await first.submitted();
    await expect(
      client.webApps.updateApplicationSettings(RG, 'busy-fn', { properties: { A: '1' } }),
    ).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });
    plane.behaviour.provisioningMs = 150;
    expect((await first).name).toBe('busy-fn');
    expect(provisioning('busy-fn')).toBe('Succeeded');
  });

  test('an injected failed operation rejects the poller with its error; the site stays Failed', async () => {
    plane.behaviour.failNextOperations = 1;
    await expect(client.webApps.createOrUpdate(RG, 'fail-fn', site(), poll)).rejects.toThrow(
      /SiteProvisioningFailed|failed/i,
    );
    expect((await client.webApps.get(RG, 'fail-fn')).name).toBe('fail-fn');
    expect(provisioning('fail-fn')).toBe('Failed');
    await client.webApps.createOrUpdate(RG, 'fail-fn', site(), poll);
    expect(provisioning('fail-fn')).toBe('Succeeded');
  });

  test("throttling (429 + Retry-After) and a 500 are retried by the SDK's own policies", async () => {
    await client.webApps.createOrUpdate(RG, 'retry-fn', site(), poll);
    Object.assign(plane.behaviour, { throttleNext: 1, serverErrorNext: 1, throttleRetryAfterSeconds: 1 });
    log.clear();
    const got = await client.webApps.get(RG, 'retry-fn');
    expect(got.name).toBe('retry-fn');
    expect(operations('GetSite').map((r) => r.status)).toEqual([429, 500, 200]);
  });

  test('an injected 409 reaches the caller (the deployer retries it, not the SDK)', async () => {
    await client.webApps.createOrUpdate(RG, 'conflict-fn', site(), poll);
    plane.behaviour.conflictNext = 1;
    await expect(
      client.webApps.updateApplicationSettings(RG, 'conflict-fn', { properties: {} }),
    ).rejects.toMatchObject({ statusCode: 409 });
    await client.webApps.updateApplicationSettings(RG, 'conflict-fn', { properties: {} });
  });

  test('sites by resource group are paged through nextLink, with their tags', async () => {
    plane.behaviour.provisioningMs = 0;
    plane.behaviour.pageSize = 2;
    for (const name of ['p-a', 'p-b', 'p-c', 'p-d', 'p-e']) {
      await client.webApps.createOrUpdate(RG, name, site({ tags: { n: name } }), poll);
    }
    await client.webApps.createOrUpdate('other-rg', 'p-x', site(), poll);
    const names: string[] = [];
    for await (const found of client.webApps.listByResourceGroup(RG))
      names.push(`${found.name}:${found.tags?.n}`);
    expect(names).toEqual(['p-a:p-a', 'p-b:p-b', 'p-c:p-c', 'p-d:p-d', 'p-e:p-e']);
    expect(operations('ListSitesByResourceGroup')).toHaveLength(3);
  });

  test('an app starts from its WEBSITE_RUN_FROM_PACKAGE SAS URL on Azurite; a bad SAS is recorded', async () => {
    const { blobEndpoint, account, key } = azurite();
    const blobs = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(account, key));
    const container = blobs.getContainerClient(`plane-${Date.now()}`);
    await container.createIfNotExists();
    const bytes = Buffer.from('PK\x05\x06'.padEnd(22, '\0'), 'latin1');
    const blob = container.getBlockBlobClient('fn/sha256-abc.zip');
    await blob.uploadData(bytes);
    const sas = await blob.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    await client.webApps.createOrUpdate(RG, 'pkg-fn', site(), poll);
    await client.webApps.updateApplicationSettings(RG, 'pkg-fn', {
      properties: { WEBSITE_RUN_FROM_PACKAGE: sas },
    });
    const deployed = plane.webApps.list().find((s) => s.name === 'pkg-fn');
    expect(deployed?.package).toMatchObject({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    });
    // The record shows the URL without its SAS.
    expect(JSON.stringify(deployed?.package)).not.toContain('sig=');

    await client.webApps.updateApplicationSettings(RG, 'pkg-fn', {
      properties: { WEBSITE_RUN_FROM_PACKAGE: blob.url },
    });
    expect(plane.webApps.list().find((s) => s.name === 'pkg-fn')?.package).toMatchObject({
      error: expect.stringMatching(/40[34]/),
    });
  });

  test('a call without api-version is refused; unknown calls are logged; the log is served over HTTPS', async () => {
    const { Agent, request } = await import('node:https');
    const agent = new Agent({ ca: plane.endpoints.caCert });
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`${plane.endpoints.arm}${path}`, { agent, headers: bearerHeader(access.auth) }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      });
    const missing = await get(`/subscriptions/s/resourceGroups/${RG}/providers/Microsoft.Web/sites/x`);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
    const logged = await get('/__faasport/cloud/requests');
    expect(JSON.parse(logged.body)).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: 'azure', status: 400 })]),
    );
    agent.destroy();
  });

  test('without the CA the client refuses the certificate (TLS is verified)', async () => {
    const untrusting = new WebSiteManagementClient(token, 'sub-1', {
      endpoint: plane.endpoints.arm,
      retryOptions: { maxRetries: 0 },
    });
    await expect(untrusting.webApps.get(RG, 'x')).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  test('with a state folder, a restarted plane still has the sites and their settings', async () => {
    const dir = await tempDir();
    await plane.stop();
    await start(dir);
    await client.webApps.createOrUpdate(RG, 'kept-fn', site(), poll);
    await client.webApps.updateApplicationSettings(RG, 'kept-fn', { properties: { K: 'v' } });
    await plane.stop();
    await start(dir);
    expect((await client.webApps.get(RG, 'kept-fn')).serverFarmId).toBe(PLAN);
    expect(provisioning('kept-fn')).toBe('Succeeded');
    expect((await client.webApps.listApplicationSettings(RG, 'kept-fn')).properties).toEqual({ K: 'v' });
  });
});
