import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { v2 } from '@google-cloud/functions';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import { type GcpPlane, startGcpPlane } from '../../../local-cloud/gcp/gcp-plane';
import { RequestLog } from '../../../local-cloud/request-log';
import { deployService, gcpOnlyEndpoints } from '../../helpers/deploy/deploy-in-process';
import { publishFiles, serviceFolder } from '../../helpers/deploy/service-folder';
import { googleToken, planeAccess } from '../../helpers/local-cloud-auth';

const PARENT = 'projects/demo/locations/europe-west1';

let log: RequestLog;
const access = planeAccess();
let plane: GcpPlane;
let local: LocalCloudEndpoints;
beforeEach(async () => {
  log = new RequestLog();
  plane = await startGcpPlane({ host: '127.0.0.1', log, access }, { behaviour: { operationMs: 60 } });
  local = gcpOnlyEndpoints(plane.endpoints, access.auth);
});
afterEach(async () => {
  await plane.stop();
});

function yml(functions: string, target = 'region: europe-west1, project: demo'): string {
  return `service: it
provider:
  name: faasport
  runtime: nodejs22.x
  memorySize: 256
  timeout: 30
  targets:
    gcp: { ${target} }
functions:
${functions}
`;
}

const handler = (name: string, version: number) =>
  `exports.${name} = (req, res) => res.send("${name} v${version}");\n`;

const service = (text: string, handlers: string[]) =>
  serviceFolder(
    'faasport-gcp-it-',
    text,
    Object.fromEntries(handlers.map((name) => [`fn/${name}.js`, handler(name, 1)])),
  );

async function writeHandler(dir: string, name: string, version: number): Promise<void> {
  await writeFile(join(dir, 'fn', `${name}.js`), handler(name, version));
}

/** Publishes one function's handler to the local layout the deploy reads by default. */
async function publish(dir: string, name: string): Promise<void> {
  await publishFiles(dir, `oci:.faasport/store:${name}`, ['!**', `fn/${name}.js`]);
}

const deploy = (dir: string) => deployService(dir, local);

const writes = () =>
  log
    .list()
    .filter((r) => r.write)
    .map((r) => `${r.operation} ${r.path.split('/').at(-1)}`);
const deployed = () =>
  Object.fromEntries(plane.list().map((r) => [r.function.name.split('/').at(-1) ?? '', r.function] as const));

function sdk(): v2.FunctionServiceClient {
  const url = new URL(plane.endpoints.functions);
  return new v2.FunctionServiceClient({
    fallback: true,
    protocol: 'http',
    apiEndpoint: url.hostname,
    port: Number(url.port),
    authClient: googleToken(access.auth),
  });
}

const FUNCTIONS = `  alpha: { handler: fn/alpha.alpha }
  beta: { handler: fn/beta.beta, environment: { GREETING: hi } }
  onOrder: { handler: fn/onOrder.onOrder, events: [{ pubsub: orders }] }
  onUpload: { handler: fn/onUpload.onUpload, timeout: 60, events: [{ storage: { bucket: uploads, event: finalized } }] }`;
const NAMES = ['alpha', 'beta', 'onOrder', 'onUpload'];

describe('Cloud Functions gen2 deployer against the local control plane', () => {
  test('create, then a no-op redeploy makes zero writes, then one changed function alone is updated', async () => {
    const dir = await service(yml(FUNCTIONS), NAMES);
    for (const name of NAMES) await publish(dir, name);
    const first = await deploy(dir);
    expect(first.outcomes.map((o) => [o.step.row.function, o.step.row.action, o.ok, o.error])).toEqual(
      NAMES.map((name) => [name, 'create', true, undefined]),
    );
    const functions = deployed();
    expect(Object.keys(functions).sort()).toEqual([
      'it-dev-alpha',
      'it-dev-beta',
      'it-dev-onorder',
      'it-dev-onupload',
    ]);
    const alpha = functions['it-dev-alpha'];
    expect(alpha).toMatchObject({
      state: 'ACTIVE',
      buildConfig: { runtime: 'nodejs22', entryPoint: 'alpha' },
      serviceConfig: { availableMemory: '256Mi', timeoutSeconds: 30 },
      labels: { 'faasport-managed-by': 'faasport', 'faasport-service': 'it', 'faasport-stage': 'dev' },
    });
    expect(alpha?.eventTrigger).toBeUndefined();
    const digest = first.plan.rows.find((row) => row.function === 'alpha')?.digest ?? '';
    expect(`sha256:${alpha?.labels?.['faasport-digest-hi']}${alpha?.labels?.['faasport-digest-lo']}`).toBe(
      digest,
    );
    expect(functions['it-dev-beta']?.serviceConfig?.environmentVariables).toEqual({ GREETING: 'hi' });
    expect(functions['it-dev-onorder']?.eventTrigger).toMatchObject({
      eventType: 'google.cloud.pubsub.topic.v1.messagePublished',
      pubsubTopic: 'projects/demo/topics/orders',
    });
    expect(functions['it-dev-onupload']?.eventTrigger).toMatchObject({
      eventType: 'google.cloud.storage.object.v1.finalized',
      eventFilters: [{ attribute: 'bucket', value: 'uploads' }],
    });
    expect(log.list().filter((r) => r.operation === 'GetOperation').length).toBeGreaterThan(0);

    log.clear();
    const again = await deploy(dir);
    expect(again.plan.rows.map((row) => row.action)).toEqual(['no-op', 'no-op', 'no-op', 'no-op']);
    expect(writes()).toEqual([]);

    await writeHandler(dir, 'beta', 2);
    await publish(dir, 'beta');
    log.clear();
    const third = await deploy(dir);
    expect(
      third.plan.rows.filter((row) => row.action !== 'no-op').map((row) => [row.function, row.action]),
    ).toEqual([['beta', 'update-code']]);
    expect(writes()).toEqual([
      'GenerateUploadUrl functions:generateUploadUrl',
      expect.stringMatching(/^UploadSource /),
      'UpdateFunction it-dev-beta',
    ]);
    expect(deployed()['it-dev-beta']?.labels?.['faasport-digest-hi']).not.toBe(
      functions['it-dev-beta']?.labels?.['faasport-digest-hi'],
    );
    expect(deployed()['it-dev-alpha']?.updateTime).toBe(alpha?.updateTime);
  });

  test('a settings change sends an explicit update mask: fields faasport does not manage are untouched', async () => {
    const dir = await service(yml('  alpha: { handler: fn/alpha.alpha }'), ['alpha']);
    await publish(dir, 'alpha');
    expect((await deploy(dir)).outcomes.every((o) => o.ok)).toBe(true);
    // Someone sets a field faasport does not manage; and a label of their own.
    const client = sdk();
    const [operation] = await client.updateFunction({
      function: {
        name: `${PARENT}/functions/it-dev-alpha`,
        serviceConfig: { maxInstanceCount: 7 },
        labels: { ...deployed()['it-dev-alpha']?.labels, team: 'payments' },
      },
      updateMask: { paths: ['serviceConfig.maxInstanceCount', 'labels'] },
    });
    await operation.promise();
    await client.close();
    await writeFile(
      join(dir, 'serverless.yml'),
      yml('  alpha: { handler: fn/alpha.alpha, memorySize: 512 }'),
    );
    log.clear();
    const { plan, outcomes } = await deploy(dir);
    expect(plan.rows.map((row) => [row.action, row.reason])).toEqual([
      ['update-config', 'settings drifted: Memory'],
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(writes()).toEqual(['UpdateFunction it-dev-alpha']);
    const alpha = deployed()['it-dev-alpha'];
    expect(alpha?.serviceConfig).toMatchObject({
      availableMemory: '512Mi',
      maxInstanceCount: 7,
      timeoutSeconds: 30,
    });
    expect(alpha?.labels?.team).toBe('payments');
  });

  test('throttling, unavailability, ABORTED and a lost create response are survived', async () => {
    const dir = await service(yml(FUNCTIONS), NAMES);
    for (const name of NAMES) await publish(dir, name);
    Object.assign(plane.behaviour, { throttleEvery: 4, unavailableNext: 1, lostCreateResponses: 1 });
    const first = await deploy(dir);
    expect(first.outcomes.map((o) => o.error)).toEqual([undefined, undefined, undefined, undefined]);
    await writeFile(join(dir, 'serverless.yml'), yml(FUNCTIONS.replace('GREETING: hi', 'GREETING: hello')));
    Object.assign(plane.behaviour, { abortedNext: 1 });
    const second = await deploy(dir);
    Object.assign(plane.behaviour, { throttleEvery: 0 });
    expect(second.outcomes.map((o) => [o.step.row.function, o.ok])).toEqual([['beta', true]]);
    const statuses = log.list().map((r) => r.status);
    for (const status of [429, 503, 409]) expect(statuses).toContain(status);
    expect(log.list().filter((r) => r.operation === 'CreateFunction' && r.status === 409)).toHaveLength(1);
    expect(deployed()['it-dev-beta']?.serviceConfig?.environmentVariables).toEqual({ GREETING: 'hello' });
    log.clear();
    expect((await deploy(dir)).plan.rows.every((row) => row.action === 'no-op')).toBe(true);
    expect(writes()).toEqual([]);
  });

  test('an operation that ends in error is reported; the FAILED function is deployed again by the next run', async () => {
    const dir = await service(
      yml('  alpha: { handler: fn/alpha.alpha }\n  beta: { handler: fn/beta.beta }'),
      ['alpha', 'beta'],
    );
    await publish(dir, 'alpha');
    await publish(dir, 'beta');
    plane.behaviour.failOperationsNext = 1;
    const first = await deploy(dir);
    const failed = first.outcomes.filter((o) => !o.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toMatch(
      /the create operation of it-dev-(alpha|beta) failed: .*Build failed.*next deploy deploys it again/,
    );
    expect(first.outcomes.filter((o) => o.ok)).toHaveLength(1);
    const second = await deploy(dir);
    expect(second.plan.rows.filter((row) => row.action !== 'no-op').map((row) => row.action)).toEqual([
      'update-code',
    ]);
    expect(second.outcomes.every((o) => o.ok)).toBe(true);
    expect(Object.values(deployed()).map((fn) => fn.state)).toEqual(['ACTIVE', 'ACTIVE']);
  });

  test('functions removed from serverless.yml are deleted; foreign ones are left alone', async () => {
    const dir = await service(
      yml('  alpha: { handler: fn/alpha.alpha }\n  beta: { handler: fn/beta.beta }'),
      ['alpha', 'beta'],
    );
    await publish(dir, 'alpha');
    await publish(dir, 'beta');
    await deploy(dir);
    const client = sdk();
    const [answer] = await client.generateUploadUrl({ parent: PARENT });
    const zip = plane.list()[0]?.zip ?? Buffer.alloc(0);
    await fetch(answer.uploadUrl ?? '', {
      method: 'PUT',
      body: zip,
      headers: { 'content-type': 'application/zip', 'x-goog-content-length-range': '0,104857600' },
    });
    const [operation] = await client.createFunction({
      parent: PARENT,
      functionId: 'it-dev-foreign',
      function: {
        buildConfig: {
          runtime: 'nodejs22',
          entryPoint: 'x',
          source: { storageSource: answer.storageSource },
        },
        labels: { 'faasport-managed-by': 'faasport', 'faasport-service': 'it', 'faasport-stage': 'prod' },
      },
    });
    await operation.promise();
    await client.close();
    await writeFile(join(dir, 'serverless.yml'), yml('  alpha: { handler: fn/alpha.alpha }'));
    log.clear();
    const { plan, outcomes } = await deploy(dir);
    expect(plan.rows.filter((row) => row.action === 'delete').map((row) => row.name)).toEqual([
      'it-dev-beta',
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(writes()).toEqual(['DeleteFunction it-dev-beta']);
    expect(Object.keys(deployed()).sort()).toEqual(['it-dev-alpha', 'it-dev-foreign']);
  });

  test('refusals before any call: runtimes, limits, triggers, id collisions, images, a missing project', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        yml('  a: { handler: fn/a.a, runtime: provided.al2023 }'),
        /functions\.a\.runtime is provided\.al2023, which Google Cloud Functions does not offer/,
      ],
      [yml('  a: { handler: fn/a.a, runtime: nodejs20.x }'), /no longer deploys Node\.js 20/],
      [
        yml('  a: { handler: fn/a.a, timeout: 600, events: [{ pubsub: t }] }'),
        /functions\.a\.timeout is 600; .* 1 to 540 seconds for event-driven/,
      ],
      [
        yml('  a: { handler: fn/a.a, events: [{ pubsub: t }, { storage: { bucket: b1b } }] }'),
        /at most one event trigger/,
      ],
      [
        yml('  my_fn: { handler: fn/a.a }\n  my-fn: { handler: fn/a.a }'),
        /both become the Cloud Functions id it-dev-my-fn/,
      ],
      [
        yml('  a: { sourceArtifact: "127.0.0.1:1/never/contacted:v1", packageType: image }'),
        /Google Cloud Functions gen2 takes only source/,
      ],
      [yml('  a: { handler: fn/a.a }', 'region: europe-west1'), /provider\.targets\.gcp\.project is not set/],
    ];
    for (const [text, message] of cases) {
      const dir = await service(text, []);
      await expect(deploy(dir)).rejects.toThrow(message);
    }
    expect(log.list()).toEqual([]);
  });
});
