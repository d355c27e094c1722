import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UserError } from '../../../common/errors';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import { type GcpPlane, startGcpPlane } from '../../../local-cloud/gcp/gcp-plane';
import { RequestLog } from '../../../local-cloud/request-log';
import { BucketSource } from '../../../plugin/deployers/gcp/bucket-source';
import { deployService, gcpOnlyEndpoints } from '../../helpers/deploy/deploy-in-process';
import { publishFiles, serviceFolder } from '../../helpers/deploy/service-folder';
import { bearerHeader, planeAccess, storageToken } from '../../helpers/local-cloud-auth';
import { tempDir } from '../../helpers/temp-dir';

const BUCKET = 'fp-sources';
const OBJECT = /^faasport\/sha256-[a-f0-9]{64}\.zip$/;

let log: RequestLog;
const access = planeAccess();
let plane: GcpPlane;
let local: LocalCloudEndpoints;

async function startPlane(stateDir?: string): Promise<void> {
  plane = await startGcpPlane(
    { host: '127.0.0.1', log, access, ...(stateDir ? { stateDir } : {}) },
    { behaviour: { operationMs: 60 } },
  );
  local = gcpOnlyEndpoints(plane.endpoints, access.auth);
}

beforeEach(async () => {
  log = new RequestLog();
  await startPlane();
});
afterEach(async () => {
  await plane.stop();
});

function yml(functions: string, bucket = BUCKET): string {
  return `service: it
provider:
  name: faasport
  runtime: nodejs22.x
  targets:
    gcp: { region: europe-west1, project: demo, bucket: ${bucket} }
functions:
${functions}
`;
}

const service = (text: string) => serviceFolder('faasport-gcp-bucket-', text);

/** Writes `fn/<file>.js` and publishes it as function `tag`'s artefact in the default local layout. */
async function publish(dir: string, tag: string, file: string, version: number): Promise<void> {
  await writeFile(
    join(dir, 'fn', `${file}.js`),
    `exports.${file} = (req, res) => res.send("v${version}");\n`,
  );
  await publishFiles(dir, `oci:.faasport/store:${tag}`, ['!**', `fn/${file}.js`]);
}

const deploy = (dir: string) => deployService(dir, local);

/** `Operation subject` of each write, subject = the function id or the object's bucket. */
const writes = () =>
  log
    .list()
    .filter((r) => r.write)
    .map(
      (r) =>
        `${r.operation} ${r.operation.endsWith('Object') ? r.path.split('/')[5] : r.path.split('/').at(-1)}`,
    );
const calls = (operation: string) => log.list().filter((r) => r.operation === operation).length;
const deployed = () =>
  Object.fromEntries(plane.list().map((r) => [r.function.name.split('/').at(-1) ?? '', r] as const));
const sourceOf = (id: string) => deployed()[id]?.function.buildConfig?.source?.storageSource;
/** An independent client of the local plane's Cloud Storage API, as a user's script would be. */
const storage = () =>
  new Storage({
    apiEndpoint: plane.endpoints.functions,
    useAuthWithCustomEndpoint: true,
    authClient: storageToken(access.auth),
  });
const md5 = (bytes: Buffer | undefined) =>
  createHash('md5')
    .update(bytes ?? Buffer.alloc(0))
    .digest('base64');

describe('Cloud Functions gen2 deployer with provider.targets.gcp.bucket', () => {
  test('create through the bucket; no-op makes zero writes; new code is one upload and one update', async () => {
    const dir = await service(yml('  alpha: { handler: fn/alpha.alpha }'));
    await publish(dir, 'alpha', 'alpha', 1);
    const first = await deploy(dir);
    expect(first.outcomes.map((o) => [o.step.row.action, o.ok, o.error])).toEqual([
      ['create', true, undefined],
    ]);
    expect(writes()).toEqual([`InsertObject ${BUCKET}`, 'CreateFunction functions']);
    expect(calls('GenerateUploadUrl') + calls('UploadSource')).toBe(0);
    const source = sourceOf('it-dev-alpha');
    expect(source).toMatchObject({ bucket: BUCKET, object: expect.stringMatching(OBJECT) });
    expect(source?.generation).toMatch(/^\d+$/);
    // The object is named by the zip's digest and holds the bytes the plane recorded for the function.
    const record = deployed()['it-dev-alpha'];
    expect(record?.function.state).toBe('ACTIVE');
    const hex = createHash('sha256')
      .update(record?.zip ?? Buffer.alloc(0))
      .digest('hex');
    expect(source?.object).toBe(`faasport/sha256-${hex}.zip`);
    const [metadata] = await storage()
      .bucket(BUCKET)
      .file(source?.object ?? '')
      .getMetadata();
    expect(metadata).toMatchObject({
      generation: source?.generation,
      size: String(record?.zip?.length),
      md5Hash: md5(record?.zip),
      contentType: 'application/zip',
    });

    log.clear();
    const again = await deploy(dir);
    expect(again.plan.rows.map((row) => row.action)).toEqual(['no-op']);
    expect(writes()).toEqual([]);
    expect(calls('GetObject')).toBe(0);

    await publish(dir, 'alpha', 'alpha', 2);
    log.clear();
    const third = await deploy(dir);
    expect(third.plan.rows.map((row) => row.action)).toEqual(['update-code']);
    expect(third.outcomes.every((o) => o.ok)).toBe(true);
    expect(writes()).toEqual([`InsertObject ${BUCKET}`, 'UpdateFunction it-dev-alpha']);
    const updated = sourceOf('it-dev-alpha');
    expect(updated?.object).toMatch(OBJECT);
    expect(updated?.object).not.toBe(source?.object);
    // The plane keeps the new object's bytes for the function: the zip named by that digest.
    const now = createHash('sha256')
      .update(deployed()['it-dev-alpha']?.zip ?? Buffer.alloc(0))
      .digest('hex');
    expect(updated?.object).toBe(`faasport/sha256-${now}.zip`);
  });

  test('the same zip under several function names is uploaded once and reused, now and later', async () => {
    const functions = '  alpha: { handler: fn/shared.shared }\n  beta: { handler: fn/shared.shared }';
    const dir = await service(yml(functions));
    await publish(dir, 'alpha', 'shared', 1);
    await publish(dir, 'beta', 'shared', 1);
    const first = await deploy(dir);
    expect(first.outcomes.every((o) => o.ok)).toBe(true);
    expect(writes().sort()).toEqual([
      'CreateFunction functions',
      'CreateFunction functions',
      `InsertObject ${BUCKET}`,
    ]);
    expect(sourceOf('it-dev-beta')).toEqual(sourceOf('it-dev-alpha'));

    // A function added later with the same bytes finds the object there: a read, then the create.
    await writeFile(join(dir, 'serverless.yml'), yml(`${functions}\n  gamma: { handler: fn/shared.shared }`));
    await publish(dir, 'gamma', 'shared', 1);
    log.clear();
    const second = await deploy(dir);
    expect(second.outcomes.map((o) => [o.step.row.function, o.step.row.action, o.ok])).toEqual([
      ['gamma', 'create', true],
    ]);
    expect(writes()).toEqual(['CreateFunction functions']);
    expect(calls('GetObject')).toBe(1);
    expect(sourceOf('it-dev-gamma')).toEqual(sourceOf('it-dev-alpha'));
  });

  test('an object of that name with other bytes is replaced, not trusted', async () => {
    const dir = await service(yml('  alpha: { handler: fn/alpha.alpha }'));
    await publish(dir, 'alpha', 'alpha', 1);
    const { plan } = await deploy(dir);
    const object = sourceOf('it-dev-alpha')?.object ?? '';
    const digest = plan.rows[0]?.digest;
    await storage().bucket(BUCKET).file(object).save(Buffer.from('not the zip'), { resumable: false });
    // A second function of the same bytes must not be created from the damaged object.
    await writeFile(
      join(dir, 'serverless.yml'),
      yml('  alpha: { handler: fn/alpha.alpha }\n  beta: { handler: fn/alpha.alpha }'),
    );
    await publish(dir, 'beta', 'alpha', 1);
    log.clear();
    const second = await deploy(dir);
    expect(second.outcomes.map((o) => [o.step.row.function, o.ok])).toEqual([['beta', true]]);
    expect(writes()).toEqual([`InsertObject ${BUCKET}`, 'CreateFunction functions']);
    expect(sourceOf('it-dev-beta')?.object).toBe(object);
    expect(deployed()['it-dev-beta']?.zip).toEqual(deployed()['it-dev-alpha']?.zip);
    expect(second.plan.rows.find((row) => row.function === 'beta')?.digest).toBe(digest);
  });

  test('objects and functions survive a plane restart with a state folder', async () => {
    const state = await tempDir('faasport-gcp-state-');
    await plane.stop();
    await startPlane(state);
    const dir = await service(yml('  alpha: { handler: fn/shared.shared }'));
    await publish(dir, 'alpha', 'shared', 1);
    expect((await deploy(dir)).outcomes.every((o) => o.ok)).toBe(true);
    await plane.stop();
    await startPlane(state);
    await writeFile(
      join(dir, 'serverless.yml'),
      yml('  alpha: { handler: fn/shared.shared }\n  beta: { handler: fn/shared.shared }'),
    );
    await publish(dir, 'beta', 'shared', 1);
    log.clear();
    const { plan, outcomes } = await deploy(dir);
    expect(plan.rows.map((row) => [row.function, row.action])).toEqual([
      ['alpha', 'no-op'],
      ['beta', 'create'],
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(writes()).toEqual(['CreateFunction functions']);
    // Settle the state folder before the test removes it; afterEach stops this fresh plane.
    await plane.stop();
    await startPlane();
  });

  test('a bucket that does not exist, or that the identity may not use, is refused naming the setting', async () => {
    const dir = await service(yml('  alpha: { handler: fn/alpha.alpha }', 'fp-nobody-made-this'));
    await publish(dir, 'alpha', 'alpha', 1);
    plane.behaviour.missingBuckets = ['fp-nobody-made-this'];
    const missing = await deploy(dir);
    expect(missing.outcomes.map((o) => o.ok)).toEqual([false]);
    expect(missing.outcomes[0]?.error).toMatch(
      /serverless\.yml: provider\.targets\.gcp\.bucket is fp-nobody-made-this, and that bucket does not exist .*: create it, or remove provider\.targets\.gcp\.bucket to upload sources through generateUploadUrl/,
    );
    // The object read finds nothing, the upload says the bucket is missing, nothing is created.
    expect(
      log
        .list()
        .filter((r) => r.operation.endsWith('Object') || r.write)
        .map((r) => `${r.operation} ${r.status}`),
    ).toEqual(['GetObject 404', 'InsertObject 404']);

    plane.behaviour.deniedBuckets = ['fp-nobody-made-this'];
    plane.behaviour.missingBuckets = [];
    log.clear();
    const denied = await deploy(dir);
    expect(denied.outcomes[0]?.error).toMatch(
      /provider\.targets\.gcp\.bucket is fp-nobody-made-this, and the deploying identity may not read objects there \(Cloud Storage: .*storage\.objects\.get.*\): grant it roles\/storage\.objectAdmin on the bucket, or remove provider\.targets\.gcp\.bucket/,
    );
    expect(log.list().filter((r) => r.write)).toEqual([]);
    expect(deployed()).toEqual({});

    // The refusal is a UserError with the command to run, not a bug's stack.
    const bucket = new BucketSource({
      storage: () => storage(),
      bucket: 'fp-nobody-made-this',
      configFile: 'serverless.yml',
      project: () => 'demo',
    });
    const zip = () => Promise.resolve(Buffer.from('PK\x03\x04'));
    const refused = await bucket.stage('sha256:00', zip, () => {}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).hint).toMatch(/roles\/storage\.objectAdmin/);
    plane.behaviour.deniedBuckets = [];
    plane.behaviour.missingBuckets = ['fp-nobody-made-this'];
    const absent = await new BucketSource({
      storage: () => storage(),
      bucket: 'fp-nobody-made-this',
      configFile: 'serverless.yml',
      project: () => 'demo',
    })
      .stage('sha256:00', zip, () => {})
      .catch((error: unknown) => error);
    expect(absent).toBeInstanceOf(UserError);
    expect((absent as UserError).hint).toBe(
      'gcloud storage buckets create gs://fp-nobody-made-this --project demo',
    );
  });

  test('the plane refuses a storageSource naming no object, and an object at another generation', async () => {
    const dir = await service(yml('  alpha: { handler: fn/alpha.alpha }'));
    await publish(dir, 'alpha', 'alpha', 1);
    await deploy(dir);
    const source = sourceOf('it-dev-alpha');
    const url = `${plane.endpoints.functions}/v2/projects/demo/locations/europe-west1/functions?functionId=it-dev-other`;
    const create = (storageSource: Record<string, unknown>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearerHeader(access.auth) },
        body: JSON.stringify({
          buildConfig: { runtime: 'nodejs22', entryPoint: 'x', source: { storageSource } },
        }),
      });
    const missing = await create({ bucket: BUCKET, object: 'faasport/sha256-none.zip' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain(`Source gs://${BUCKET}/faasport/sha256-none.zip does not exist`);
    const stale = await create({ ...source, generation: '1' });
    expect(stale.status).toBe(400);
    const good = await create({ ...source });
    expect(good.status).toBe(200);
  });
});
