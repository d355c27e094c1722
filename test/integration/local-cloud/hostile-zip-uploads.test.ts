import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  InvalidParameterValueException,
  LambdaClient,
  UpdateFunctionCodeCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { BlobSASPermissions, BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { v2 } from '@google-cloud/functions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { awsCredentials, azureToken, googleToken } from '../../helpers/local-cloud-auth';
import { azurite } from '../../helpers/services';
import { zipFiles } from '../../helpers/zip';
import { type CraftedEntry, craftZip } from '../../unit/artifact/unzip/craft-zip';

// Zips that would escape the function's folder, plant a link or blow up, uploaded to each local
// plane the way its SDK uploads: refused when the cloud looks at the code (Lambda at
// CreateFunction / UpdateFunctionCode, Cloud Functions in the build, Azure when the app mounts
// its package), each in that cloud's words, never with a path of this machine.
const text = (s: string) => Buffer.from(s);
const HOSTILE: Array<[string, CraftedEntry[], RegExp]> = [
  ['zip-slip', [{ name: '../../outside.js', data: text('evil') }], /relative path|outside/],
  ['a symbolic link', [{ name: 'index.js', data: text('/etc/passwd'), mode: 0o120777 }], /symbolic link/],
  [
    'overlapping entries (zip bomb)',
    [
      { name: 'a.js', data: text('payload') },
      { name: 'b.js', data: text('payload'), shareWith: 0 },
    ],
    /overlap/,
  ],
  [
    'a high-ratio entry (zip bomb)',
    [{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 ** 2), deflate: true }],
    /compression ratio/,
  ],
  [
    'an entry that inflates beyond its declared size',
    [{ name: 'liar.js', data: Buffer.alloc(100_000, 7), deflate: true, declaredSize: 10 }],
    /too many bytes|size/,
  ],
];

let cloud: LocalCloud;
let stateDir: string;
beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'faasport-hostile-'));
  const { blobEndpoint: endpoint, account, key } = azurite();
  cloud = await startLocalCloud({
    stateDir,
    aws: { pendingMs: 0, updateMs: 0 },
    azure: { behaviour: { provisioningMs: 0 }, blob: { endpoint, account, key } },
    gcp: { behaviour: { operationMs: 0 } },
  });
});
afterAll(async () => {
  await cloud?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** No answer may carry a path of this machine (the state folder, the temp folder, a home). */
function expectNoHostPath(said: string): void {
  expect(said).not.toContain(stateDir);
  expect(said).not.toMatch(/\/(tmp|home|root|Users|var)\//);
}

describe('Lambda: CreateFunction and UpdateFunctionCode', () => {
  const lambda = () =>
    new LambdaClient({
      region: 'us-east-1',
      endpoint: cloud.endpoints.aws.lambda,
      credentials: awsCredentials(cloud.endpoints.auth),
    });

  test.each(HOSTILE)('%s is refused with InvalidParameterValueException', async (_name, entries, reason) => {
    const client = lambda();
    const name = `hostile-${Math.random().toString(36).slice(2, 8)}`;
    const create = (zip: Buffer) =>
      client.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Role: 'arn:aws:iam::000000000000:role/fn',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: zip },
        }),
      );
    const refused = await create(craftZip(entries)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidParameterValueException);
    const error = refused as InvalidParameterValueException;
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(
      /^Could not unzip uploaded file\. Please check your file, then try to upload again\./,
    );
    expect(error.message).toMatch(reason);
    expectNoHostPath(error.message);
    expect(cloud.lambda.list().some((f) => f.configuration.FunctionName === name)).toBe(false);

    // the same code as an update of a good function
    await create(await zipFiles({ 'index.js': 'exports.handler = async () => 1;' }));
    await waitUntilFunctionActiveV2(
      { client, minDelay: 0.05, maxDelay: 0.2, maxWaitTime: 20 },
      { FunctionName: name },
    );
    const update = await client
      .send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: craftZip(entries) }))
      .catch((e: unknown) => e);
    expect(update).toBeInstanceOf(InvalidParameterValueException);
    expect((update as Error).message).toMatch(reason);
    expectNoHostPath((update as Error).message);
    client.destroy();
  });

  test('more than 250 MB unzipped is refused with Lambda’s own message', async () => {
    const client = lambda();
    // the sizes the central directory declares are enough: Lambda answers before unpacking
    const zip = craftZip([
      { name: 'a.bin', data: text('a'), deflate: true, declaredSize: 140 * 1024 ** 2 },
      { name: 'b.bin', data: text('b'), deflate: true, declaredSize: 140 * 1024 ** 2 },
    ]);
    const error = (await client
      .send(
        new CreateFunctionCommand({
          FunctionName: 'too-big',
          Role: 'arn:aws:iam::000000000000:role/fn',
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Code: { ZipFile: zip },
        }),
      )
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toBe('Unzipped size must be smaller than 262144000 bytes');
    client.destroy();
  });
});

describe('Cloud Functions: the build refuses the uploaded source', () => {
  test.each(HOSTILE)('%s fails the operation with INVALID_ARGUMENT', async (_name, entries, reason) => {
    const url = new URL(cloud.endpoints.gcp?.functions ?? '');
    const client = new v2.FunctionServiceClient({
      fallback: true,
      protocol: 'http',
      apiEndpoint: url.hostname,
      port: Number(url.port),
      authClient: googleToken(cloud.endpoints.auth),
    });
    const parent = 'projects/demo/locations/europe-west1';
    const [answer] = await client.generateUploadUrl({ parent });
    const put = await fetch(answer.uploadUrl ?? '', {
      method: 'PUT',
      body: craftZip(entries),
      headers: { 'content-type': 'application/zip', 'x-goog-content-length-range': '0,104857600' },
    });
    expect(put.status).toBe(200);
    const id = `hostile-${Math.random().toString(36).slice(2, 8)}`;
    const [operation] = await client.createFunction({
      parent,
      functionId: id,
      function: {
        buildConfig: {
          runtime: 'nodejs22',
          entryPoint: 'handler',
          source: { storageSource: answer.storageSource },
        },
      },
    });
    const error = (await operation.promise().catch((e: unknown) => e)) as Error & { code?: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(3);
    expect(error.message).toContain('Build failed');
    expect(error.message).toMatch(reason);
    expectNoHostPath(error.message);
    const [fn] = await client.getFunction({ name: `${parent}/functions/${id}` });
    expect(fn.state).toBe('FAILED');
    await client.close();
  });
});

describe('Azure: the app does not start from a hostile package', () => {
  const token = () => azureToken(cloud.endpoints.auth);

  test.each(HOSTILE)('%s is recorded as a package the host refused', async (_name, entries, reason) => {
    const { blobEndpoint, account, key } = azurite();
    const blobs = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(account, key));
    const container = blobs.getContainerClient('hostile-zips');
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(`pkg-${Math.random().toString(36).slice(2, 8)}.zip`);
    await blob.uploadData(craftZip(entries));
    const sas = await blob.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      expiresOn: new Date(Date.now() + 3_600_000),
    });
    const azure = cloud.endpoints.azure;
    const client = new WebSiteManagementClient(token(), 'sub-1', {
      endpoint: azure?.arm ?? '',
      tlsOptions: { ca: azure?.caCert ?? '' },
    });
    const site = `hostile-${Math.random().toString(36).slice(2, 8)}`;
    await client.webApps.createOrUpdate(
      'rg',
      site,
      {
        location: 'westeurope',
        kind: 'functionapp,linux',
        serverFarmId: '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Web/serverfarms/p1',
        reserved: true,
        siteConfig: {
          linuxFxVersion: 'Node|22',
          appSettings: [{ name: 'WEBSITE_RUN_FROM_PACKAGE', value: sas }],
        },
      },
      { updateIntervalInMs: 20 },
    );
    const recorded = cloud.azurePlane.webApps.list().find((s) => s.name === site)?.package;
    expect(recorded).toMatchObject({ error: expect.stringMatching(reason) });
    expectNoHostPath(JSON.stringify(recorded));
  });
});
