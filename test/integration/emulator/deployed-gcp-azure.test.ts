import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { v2 } from '@google-cloud/functions';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { DeployedCode } from '../../../emulator/code/deployed-code';
import { HostedCode } from '../../../emulator/code/hosted-code';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import type { Engine } from '../../../emulator/engines/engine';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { DeployedAzureApps } from '../../../emulator/providers/azure/deployed-azure-apps';
import { DeployedGcpFunctions } from '../../../emulator/providers/gcp/deployed-gcp-functions';
import { BLOB_ENDPOINT_ENV } from '../../../local-cloud/azure/azure-plane';
import { type ServedCloud, serveCloud } from '../../../local-cloud/serve-cloud';
import { dockerClient } from '../../helpers/docker';
import { azureToken, googleToken } from '../../helpers/local-cloud-auth';
import { azurite } from '../../helpers/services';
import { zipFiles } from '../../helpers/zip';

/**
 * Each handler keeps a random id and a call count in module state: the same id with a higher
 * count means the same (warm) instance; a new id with count 1 means a cold start.
 */
const gcpSource = (
  version: string,
) => `const instance = require('node:crypto').randomBytes(8).toString('hex');
let calls = 0;
exports.hello = (req, res) => {
  calls += 1;
  res.set('x-version', ${JSON.stringify(version)});
  res.json({ version: ${JSON.stringify(version)}, instance, calls, body: req.body, path: req.path,
    query: req.query, probe: req.get('x-probe'), greeting: process.env.GREETING,
    service: process.env.K_SERVICE });
};
`;
const gcpEventSource = `exports.onOrder = (event) => { console.log('order event', event.type); };\n`;

const azureSource = (version: string) => `const { app } = require('@azure/functions');
const instance = require('node:crypto').randomBytes(8).toString('hex');
let calls = 0;
app.http('hello', {
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  route: 'greet/{who}',
  handler: async (request) => {
    calls += 1;
    return { jsonBody: { version: ${JSON.stringify(version)}, instance, calls, who: request.params.who,
      q: request.query.get('q'), greeting: process.env.GREETING, site: process.env.WEBSITE_SITE_NAME,
      packageUrlSeen: process.env.WEBSITE_RUN_FROM_PACKAGE !== undefined } };
  },
});
`;
const azureFiles = (version: string) => ({
  'package.json': JSON.stringify({ name: 'hello-app', main: 'src/app.js' }),
  'host.json': JSON.stringify({ version: '2.0' }),
  'src/app.js': azureSource(version),
});

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** HTTPS to the local ARM server: its own certificate is the only CA trusted. */
function httpsCall(url: string, ca: string, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

const GCP_PARENT = 'projects/demo/locations/europe-west1';
const POLL = {
  longrunning: {
    initialRetryDelayMillis: 20,
    retryDelayMultiplier: 1.5,
    maxRetryDelayMillis: 200,
    initialRpcTimeoutMillis: 5_000,
    rpcTimeoutMultiplier: 1,
    maxRpcTimeoutMillis: 5_000,
    totalTimeoutMillis: 30_000,
  },
};
const RG = 'rg-deployed';
const PLAN = '/subscriptions/sub-1/resourceGroups/rg-deployed/providers/Microsoft.Web/serverfarms/premium1';

const engines: [string, () => Engine][] = [
  ['process', () => new ProcessEngine({ stopGraceMs: 1000 })],
  ['docker', () => new DockerEngine({ docker: dockerClient(), stopGraceMs: 1000 })],
];

describe.each(engines)(
  'functions deployed to the local GCP and Azure planes run on the %s engine',
  (engineName, makeEngine) => {
    let serviceDir: string;
    let served: ServedCloud;
    let gcpRunner: DeployedGcpFunctions;
    let azureRunner: DeployedAzureApps;
    let functions: v2.FunctionServiceClient;
    let web: WebSiteManagementClient;
    let blobs: BlobServiceClient;
    let engine: Engine;
    const logger = new MemoryLogger();
    const savedBlobEnv = process.env[BLOB_ENDPOINT_ENV];

    beforeAll(async () => {
      serviceDir = await mkdtemp(join(tmpdir(), 'faasport-deployed-gcp-azure-'));
      engine = makeEngine();
      await engine.cleanup();
      const code = new DeployedCode(join(serviceDir, '.faasport', 'deployed'));
      const hostedRoot = join(serviceDir, '.faasport', 'hosted');
      const shared = { engine, code, logger, idleTimeoutMs: 60_000 };
      gcpRunner = new DeployedGcpFunctions({
        ...shared,
        hosted: new HostedCode(hostedRoot, ['@google-cloud/functions-framework']),
        defaultMaxInstances: 2,
      });
      azureRunner = new DeployedAzureApps({
        ...shared,
        hosted: new HostedCode(hostedRoot, ['@azure/functions']),
      });
      // The plane stages packages in the rig's Azurite, named as `faasport emulate --cloud` is told.
      process.env[BLOB_ENDPOINT_ENV] = azurite().blobEndpoint;
      served = await serveCloud(serviceDir, {
        host: '127.0.0.1',
        invokers: { gcp: gcpRunner.invoker, azure: azureRunner.invoker },
      });
      served.cloud.gcpPlane.behaviour.operationMs = 50;
      served.cloud.azurePlane.behaviour.provisioningMs = 50;
      const url = new URL(served.cloud.gcpPlane.endpoints.functions);
      functions = new v2.FunctionServiceClient({
        fallback: true,
        protocol: 'http',
        apiEndpoint: url.hostname,
        port: Number(url.port),
        authClient: googleToken(served.cloud.endpoints.auth),
      });
      web = new WebSiteManagementClient(azureToken(served.cloud.endpoints.auth), 'sub-1', {
        endpoint: served.cloud.azurePlane.endpoints.arm,
        tlsOptions: { ca: served.cloud.azurePlane.endpoints.caCert },
      });
      const { blobEndpoint, account, key } = azurite();
      blobs = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(account, key));
    });
    afterAll(async () => {
      if (savedBlobEnv === undefined) delete process.env[BLOB_ENDPOINT_ENV];
      else process.env[BLOB_ENDPOINT_ENV] = savedBlobEnv;
      await functions?.close();
      await served?.cloud.stop();
      await gcpRunner?.close();
      await azureRunner?.close();
      await rm(serviceDir, { recursive: true, force: true });
    });

    /** generateUploadUrl and the signed PUT it asks for, as the deployer does. */
    const upload = async (zip: Buffer) => {
      const [answer] = await functions.generateUploadUrl({ parent: GCP_PARENT });
      const put = await fetch(answer.uploadUrl ?? '', {
        method: 'PUT',
        body: zip,
        headers: { 'content-type': 'application/zip', 'x-goog-content-length-range': '0,104857600' },
      });
      expect(put.status).toBe(200);
      return answer.storageSource ?? {};
    };
    const post = async (url: string, body: unknown) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-probe': 'yes' },
        body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text(), headers: response.headers };
    };

    test('GCP: a created HTTP function answers at its url, cold then warm; new source → cold on the new code', async () => {
      const id = `hello-${engineName}`;
      const [created] = await functions.createFunction(
        {
          parent: GCP_PARENT,
          functionId: id,
          function: {
            buildConfig: {
              runtime: 'nodejs22',
              entryPoint: 'hello',
              source: { storageSource: await upload(await zipFiles({ 'index.js': gcpSource('v1') })) },
            },
            serviceConfig: {
              availableMemory: '256Mi',
              timeoutSeconds: 30,
              environmentVariables: { GREETING: 'hi' },
            },
          },
        },
        POLL,
      );
      const [fn] = await created.promise();
      expect(fn.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const url = fn.url ?? '';

      // The request reaches the function whole (path below the URL, query, headers), and the
      // function's own headers come back with the emulator's cold/warm ones.
      const first = await post(`${url}/items/7?q=1`, { n: 1 });
      expect(first.status, first.text).toBe(200);
      const one = JSON.parse(first.text);
      expect(one).toMatchObject({
        version: 'v1',
        calls: 1,
        body: { n: 1 },
        path: '/items/7',
        query: { q: '1' },
        probe: 'yes',
        greeting: 'hi',
        service: id,
      });
      expect(first.headers.get('x-version')).toBe('v1');
      expect(first.headers.get('x-faasport-cold')).toBe('true');
      const warm = await post(url, { n: 2 });
      const second = JSON.parse(warm.text);
      expect(second).toMatchObject({
        version: 'v1',
        calls: 2,
        instance: one.instance,
        body: { n: 2 },
        path: '/',
      });
      expect(warm.headers.get('x-faasport-cold')).toBe('false');
      const probes = () =>
        logger.lines.filter((l) => l.source === id && l.text.includes('STARTUP TCP probe'));
      expect(probes()).toHaveLength(1);

      const [updated] = await functions.updateFunction(
        {
          function: {
            name: fn.name,
            buildConfig: {
              source: { storageSource: await upload(await zipFiles({ 'index.js': gcpSource('v2') })) },
            },
          },
          updateMask: { paths: ['build_config.source'] },
        },
        POLL,
      );
      await updated.promise();
      const third = JSON.parse((await post(url, { n: 3 })).text);
      expect(third).toMatchObject({ version: 'v2', calls: 1, greeting: 'hi' });
      expect(third.instance).not.toBe(one.instance);
      expect(probes()).toHaveLength(2);

      // A configuration change alone starts cold too.
      const [configured] = await functions.updateFunction(
        {
          function: { name: fn.name, serviceConfig: { environmentVariables: { GREETING: 'hello again' } } },
          updateMask: { paths: ['service_config.environment_variables'] },
        },
        POLL,
      );
      await configured.promise();
      const fourth = JSON.parse((await post(url, { n: 4 })).text);
      expect(fourth).toMatchObject({ version: 'v2', calls: 1, greeting: 'hello again' });
    });

    test('GCP: an event-triggered function refuses a plain call with a 400 that says to publish', async () => {
      const [created] = await functions.createFunction(
        {
          parent: GCP_PARENT,
          functionId: `on-order-${engineName}`,
          function: {
            buildConfig: {
              runtime: 'nodejs22',
              entryPoint: 'onOrder',
              source: { storageSource: await upload(await zipFiles({ 'index.js': gcpEventSource })) },
            },
            eventTrigger: {
              eventType: 'google.cloud.pubsub.topic.v1.messagePublished',
              pubsubTopic: 'projects/demo/topics/orders',
            },
          },
        },
        POLL,
      );
      const [fn] = await created.promise();
      const plain = await post(fn.url ?? '', { n: 1 });
      expect(plain.status).toBe(400);
      expect(plain.text).toContain('projects/demo/topics/orders');
      expect(plain.text).toContain('application/cloudevents+json');

      // A structured CloudEvent is delivered: the function returns nothing, the framework answers 204.
      const event = await fetch(fn.url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({
          specversion: '1.0',
          type: 'google.cloud.pubsub.topic.v1.messagePublished',
          source: '//pubsub.googleapis.com/projects/demo/topics/orders',
          id: randomBytes(4).toString('hex'),
          data: { message: { data: Buffer.from('hi').toString('base64') } },
        }),
      });
      expect(event.status).toBeLessThan(300);
      // A served function's output travels apart from its HTTP answer (the container's log
      // stream on docker), as Cloud Run's does: the line arrives, maybe just after the response.
      await vi.waitFor(
        () => expect(logger.lines.some((l) => l.text.includes('order event google.cloud.pubsub'))).toBe(true),
        { timeout: 5_000 },
      );
    });

    test('Azure: a zip app answers under its defaultHostName, cold then warm; a new package → cold on the new code', async () => {
      const name = `hello-app-${engineName}`;
      const container = blobs.getContainerClient('deployed-apps');
      await container.createIfNotExists();
      const stage = async (version: string) => {
        const blob = container.getBlockBlobClient(`${name}/${version}-${randomBytes(4).toString('hex')}.zip`);
        await blob.uploadData(await zipFiles(azureFiles(version)));
        return blob.generateSasUrl({
          permissions: BlobSASPermissions.parse('r'),
          expiresOn: new Date(Date.now() + 3_600_000),
        });
      };
      const settings = (packageUrl: string) => [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' },
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' },
        { name: 'GREETING', value: 'hej' },
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: packageUrl },
      ];
      await web.webApps.createOrUpdate(
        RG,
        name,
        {
          location: 'westeurope',
          kind: 'functionapp,linux',
          serverFarmId: PLAN,
          reserved: true,
          siteConfig: { linuxFxVersion: 'Node|22', appSettings: settings(await stage('v1')) },
        },
        { updateIntervalInMs: 20 },
      );
      // What `sls info` shows (https://<defaultHostName>): the app's local base URL.
      const site = await web.webApps.get(RG, name);
      const arm = new URL(served.cloud.azurePlane.endpoints.arm);
      expect(site.defaultHostName).toBe(`${arm.host}/__faasport/cloud/azure/sites/${name}`);
      expect(site.hostNames).toEqual([`${name}.azurewebsites.net`]);
      const base = `https://${site.defaultHostName}`;
      const ca = served.cloud.azurePlane.endpoints.caCert;

      const first = await httpsCall(`${base}/api/greet/ada?q=1`, ca);
      expect(first.status, first.body).toBe(200);
      expect(first.headers['x-faasport-cold']).toBe('true');
      const one = JSON.parse(first.body);
      expect(one).toMatchObject({
        version: 'v1',
        calls: 1,
        who: 'ada',
        q: '1',
        greeting: 'hej',
        site: name,
        packageUrlSeen: false,
      });
      const second = await httpsCall(`${base}/api/greet/bob`, ca, 'POST', 'x');
      expect(second.headers['x-faasport-cold']).toBe('false');
      expect(JSON.parse(second.body)).toMatchObject({
        version: 'v1',
        calls: 2,
        instance: one.instance,
        who: 'bob',
      });
      expect((await httpsCall(`${base}/api/nothing-here`, ca)).status).toBe(404);
      expect((await httpsCall(`${base}/api/greet/ada`, ca, 'DELETE')).status).toBe(404);

      // A new package: settings written again, the app restarts on it (as the deployer does).
      const listed = await web.webApps.listApplicationSettings(RG, name);
      await web.webApps.updateApplicationSettings(RG, name, {
        properties: { ...listed.properties, WEBSITE_RUN_FROM_PACKAGE: await stage('v2') },
      });
      const third = await httpsCall(`${base}/api/greet/cy`, ca);
      expect(third.headers['x-faasport-cold']).toBe('true');
      const three = JSON.parse(third.body);
      expect(three).toMatchObject({ version: 'v2', calls: 1, who: 'cy' });
      expect(three.instance).not.toBe(one.instance);
    });

    test('Azure: an unknown app is a 404, an app whose package cannot load is a 503 that says why', async () => {
      const ca = served.cloud.azurePlane.endpoints.caCert;
      const arm = served.cloud.azurePlane.endpoints.arm;
      expect((await httpsCall(`${arm}/__faasport/cloud/azure/sites/no-such-app/api/x`, ca)).status).toBe(404);

      const name = `broken-app-${engineName}`;
      const container = blobs.getContainerClient('deployed-apps');
      await container.createIfNotExists();
      const blob = container.getBlockBlobClient(`${name}/v1.zip`);
      await blob.uploadData(
        await zipFiles({ 'package.json': JSON.stringify({ main: 'missing.js' }), 'host.json': '{}' }),
      );
      const url = await blob.generateSasUrl({
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + 3_600_000),
      });
      await web.webApps.createOrUpdate(
        RG,
        name,
        {
          location: 'westeurope',
          serverFarmId: PLAN,
          siteConfig: {
            appSettings: [
              { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' },
              { name: 'WEBSITE_RUN_FROM_PACKAGE', value: url },
            ],
          },
        },
        { updateIntervalInMs: 20 },
      );
      const site = await web.webApps.get(RG, name);
      const answer = await httpsCall(`https://${site.defaultHostName}/api/anything`, ca);
      expect(answer.status).toBe(503);
      expect(answer.body).toContain('missing.js');
      // The SAS token of the package URL is never echoed.
      expect(answer.body).not.toContain('sig=');
    });
  },
);
