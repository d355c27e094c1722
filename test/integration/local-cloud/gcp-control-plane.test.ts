import { v2 } from '@google-cloud/functions';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type GcpPlane, startGcpPlane } from '../../../local-cloud/gcp/gcp-plane';
import { RequestLog } from '../../../local-cloud/request-log';
import { bearerHeader, googleToken, planeAccess } from '../../helpers/local-cloud-auth';
import { tempDir } from '../../helpers/temp-dir';
import { zipFiles } from '../../helpers/zip';

const PARENT = 'projects/demo/locations/europe-west1';
const NAME = `${PARENT}/functions/orders-fn`;
/** Polls the local plane quickly, and never longer than 20 s in all. */
const POLL = {
  longrunning: {
    initialRetryDelayMillis: 20,
    retryDelayMultiplier: 1.5,
    maxRetryDelayMillis: 200,
    initialRpcTimeoutMillis: 5_000,
    rpcTimeoutMultiplier: 1,
    maxRpcTimeoutMillis: 5_000,
    totalTimeoutMillis: 20_000,
  },
};

const zipOf = (text: string) => zipFiles({ 'index.js': text });

let log: RequestLog;
const access = planeAccess();
let plane: GcpPlane;
let client: v2.FunctionServiceClient;

async function start(stateDir?: string, operationMs = 600): Promise<void> {
  log = new RequestLog();
  plane = await startGcpPlane(
    { host: '127.0.0.1', log, access, ...(stateDir ? { stateDir } : {}) },
    { behaviour: { operationMs } },
  );
  const url = new URL(plane.endpoints.functions);
  client = new v2.FunctionServiceClient({
    fallback: true,
    protocol: 'http',
    apiEndpoint: url.hostname,
    port: Number(url.port),
    authClient: googleToken(access.auth),
  });
}
async function stop(): Promise<void> {
  await client.close();
  await plane.stop();
}
beforeEach(() => start());
afterEach(() => stop());

/** generateUploadUrl, then the PUT it asks for (no Authorization, the signed headers). */
async function upload(zip: Buffer) {
  const [answer] = await client.generateUploadUrl({ parent: PARENT });
  const response = await fetch(answer.uploadUrl ?? '', {
    method: 'PUT',
    body: zip,
    headers: { 'content-type': 'application/zip', 'x-goog-content-length-range': '0,104857600' },
  });
  expect(response.status).toBe(200);
  return answer.storageSource ?? {};
}

async function createOrders(labels: Record<string, string> = { team: 'a' }) {
  const storageSource = await upload(await zipOf('exports.orders = (req, res) => res.send("v1");'));
  const [operation] = await client.createFunction(
    {
      parent: PARENT,
      functionId: 'orders-fn',
      function: {
        buildConfig: { runtime: 'nodejs22', entryPoint: 'orders', source: { storageSource } },
        serviceConfig: { availableMemory: '256Mi', timeoutSeconds: 30, environmentVariables: { A: '1' } },
        labels,
      },
    },
    POLL,
  );
  return operation;
}

const rpcCode = (error: unknown) => (error as { code?: number }).code;

describe('local Cloud Functions v2 control plane, through the official FunctionServiceClient', () => {
  test('create is a long-running operation: DEPLOYING, then ACTIVE once the operation is done', async () => {
    const operation = await createOrders();
    expect(operation.done).toBe(false);
    const [during] = await client.getFunction({ name: NAME });
    expect(during.state).toBe('DEPLOYING');
    const [created] = await operation.promise();
    // REST results carry numeric enums (enum-encoding=int) or names: ACTIVE either way.
    expect([1, 'ACTIVE']).toContain(created.state);
    const [after] = await client.getFunction({ name: NAME });
    expect(after).toMatchObject({
      state: 'ACTIVE',
      environment: 'GEN_2',
      labels: { team: 'a' },
      buildConfig: { runtime: 'nodejs22', entryPoint: 'orders' },
      serviceConfig: { availableMemory: '256Mi', timeoutSeconds: 30, environmentVariables: { A: '1' } },
    });
    expect(after.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const polls = log.list().filter((r) => r.operation === 'GetOperation');
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((r) => !r.write)).toBe(true);
    expect(log.list().find((r) => r.operation === 'CreateFunction')?.write).toBe(true);
    // On the wire, with enum-encoding=int as the SDK asks, the state is a number.
    const raw = await fetch(`${plane.endpoints.functions}/v2/${NAME}?$alt=json;enum-encoding=int`, {
      headers: bearerHeader(access.auth),
    });
    expect(((await raw.json()) as { state: unknown }).state).toBe(1);
  });

  test('the upload URL refuses a wrong signature and a PUT without the headers it was signed with', async () => {
    const [answer] = await client.generateUploadUrl({ parent: PARENT });
    const url = new URL(answer.uploadUrl ?? '');
    const zip = await zipOf('x');
    const headers = { 'content-type': 'application/zip', 'x-goog-content-length-range': '0,104857600' };
    const forged = new URL(url);
    forged.searchParams.set('Signature', '0'.repeat(64));
    expect((await fetch(forged, { method: 'PUT', body: zip, headers })).status).toBe(403);
    const unsigned = await fetch(url, {
      method: 'PUT',
      body: zip,
      headers: { 'content-type': 'application/zip' },
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // Creating from a source never uploaded is refused up front.
    await expect(
      client.createFunction({
        parent: PARENT,
        functionId: 'orders-fn',
        function: {
          buildConfig: {
            runtime: 'nodejs22',
            entryPoint: 'x',
            source: { storageSource: answer.storageSource },
          },
        },
      }),
    ).rejects.toMatchObject({ code: 3 });
    expect((await fetch(url, { method: 'PUT', body: zip, headers })).status).toBe(200);
  });

  test('updateMask: only the named fields change; without a mask every writable field is replaced', async () => {
    await (await createOrders()).promise();
    const [labelsOnly] = await client.updateFunction(
      {
        function: {
          name: NAME,
          labels: { team: 'b' },
          serviceConfig: { availableMemory: '1Gi' }, // outside the mask: ignored
        },
        updateMask: { paths: ['labels'] },
      },
      POLL,
    );
    await labelsOnly.promise();
    let [fn] = await client.getFunction({ name: NAME });
    expect(fn.labels).toEqual({ team: 'b' });
    expect(fn.serviceConfig?.availableMemory).toBe('256Mi');
    expect(fn.buildConfig?.entryPoint).toBe('orders');

    // snake_case paths are accepted as well as camelCase
    const [memory] = await client.updateFunction(
      {
        function: { name: NAME, serviceConfig: { availableMemory: '512Mi' } },
        updateMask: { paths: ['service_config.available_memory'] },
      },
      POLL,
    );
    await memory.promise();
    [fn] = await client.getFunction({ name: NAME });
    expect(fn.serviceConfig?.availableMemory).toBe('512Mi');
    expect(fn.serviceConfig?.timeoutSeconds).toBe(30);

    const storageSource = await upload(await zipOf('exports.orders = (req, res) => res.send("v2");'));
    const [whole] = await client.updateFunction(
      {
        function: {
          name: NAME,
          buildConfig: { runtime: 'nodejs24', entryPoint: 'orders', source: { storageSource } },
        },
      },
      POLL,
    );
    await whole.promise();
    [fn] = await client.getFunction({ name: NAME });
    expect(fn.buildConfig?.runtime).toBe('nodejs24');
    expect(fn.labels).toEqual({});
    expect(fn.serviceConfig?.availableMemory).toBe('');

    await expect(
      client.updateFunction({ function: { name: NAME }, updateMask: { paths: ['state'] } }),
    ).rejects.toMatchObject({ code: 3 });
  });

  test('a write while an operation runs gets 409 ABORTED; a second create 409 ALREADY_EXISTS; unknown is NOT_FOUND', async () => {
    const operation = await createOrders();
    await expect(
      client.updateFunction({ function: { name: NAME, labels: {} }, updateMask: { paths: ['labels'] } }),
    ).rejects.toSatisfy((error) => rpcCode(error) === 10);
    await expect(client.deleteFunction({ name: NAME })).rejects.toSatisfy((error) => rpcCode(error) === 10);
    await operation.promise();
    await expect(createOrders()).rejects.toSatisfy((error) => rpcCode(error) === 6);
    await expect(client.getFunction({ name: `${PARENT}/functions/nope-fn` })).rejects.toSatisfy(
      (error) => rpcCode(error) === 5,
    );
    expect(log.list().filter((r) => r.status === 409)).toHaveLength(3);
  });

  test('injected faults: 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, ABORTED, an operation that ends in error', async () => {
    plane.behaviour.unavailableNext = 1;
    await expect(client.getFunction({ name: NAME })).rejects.toSatisfy((error) => rpcCode(error) === 14);
    plane.behaviour.throttleEvery = 1;
    await expect(client.getFunction({ name: NAME })).rejects.toSatisfy((error) => rpcCode(error) === 8);
    plane.behaviour.throttleEvery = 0;

    plane.behaviour.failOperationsNext = 1;
    const failing = await createOrders();
    await expect(failing.promise()).rejects.toThrow(/Build failed/);
    const [failed] = await client.getFunction({ name: NAME });
    expect(failed.state).toBe('FAILED');
    expect(failed.stateMessages?.[0]?.message).toMatch(/Build failed/);

    // A failed function can be deployed again; an injected ABORTED leaves it DEPLOYING a while.
    plane.behaviour.abortedNext = 1;
    const again = () =>
      client.updateFunction(
        { function: { name: NAME, labels: { fixed: 'yes' } }, updateMask: { paths: ['labels'] } },
        POLL,
      );
    await expect(again()).rejects.toSatisfy((error) => rpcCode(error) === 10);
    const [during] = await client.getFunction({ name: NAME });
    expect(during.state).toBe('DEPLOYING');
    for (let i = 0; i < 200 && (await client.getFunction({ name: NAME }))[0].state === 'DEPLOYING'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const [operation] = await again();
    await operation.promise();
    const [fixed] = await client.getFunction({ name: NAME });
    expect(fixed).toMatchObject({ state: 'ACTIVE', labels: { fixed: 'yes' } });

    // A create that landed while its response was lost: the retry meets ALREADY_EXISTS.
    plane.behaviour.lostCreateResponses = 1;
    const storageSource = await upload(await zipOf('x'));
    const lost = () =>
      client.createFunction({
        parent: PARENT,
        functionId: 'other-fn',
        function: { buildConfig: { runtime: 'nodejs22', entryPoint: 'x', source: { storageSource } } },
      });
    await expect(lost()).rejects.toSatisfy((error) => rpcCode(error) === 14);
    await expect(lost()).rejects.toSatisfy((error) => rpcCode(error) === 6);
  });

  test('delete is an operation too; list pages through what is left', async () => {
    await (await createOrders()).promise();
    const [deleting] = await client.deleteFunction({ name: NAME }, POLL);
    const [during] = await client.getFunction({ name: NAME });
    expect(during.state).toBe('DELETING');
    await deleting.promise();
    await expect(client.getFunction({ name: NAME })).rejects.toSatisfy((error) => rpcCode(error) === 5);
    const [functions] = await client.listFunctions({ parent: PARENT }, { autoPaginate: false });
    expect(functions).toEqual([]);
  });
});

describe('local Cloud Functions v2 control plane state', () => {
  test('deployed functions are recorded under <stateDir>/gcp and come back after a restart', async () => {
    await stop();
    const stateDir = await tempDir('faasport-gcp-state-');
    await start(stateDir, 0);
    await (await createOrders({ owner: 'me' })).promise();
    await stop();
    await start(stateDir, 0);
    const [fn] = await client.getFunction({ name: NAME });
    expect(fn).toMatchObject({ state: 'ACTIVE', labels: { owner: 'me' } });
    expect(plane.list()[0]?.zip?.subarray(0, 2).toString()).toBe('PK');
  });
});
