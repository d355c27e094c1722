import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import {
  createGcpService,
  GCP_PROJECT,
  type GcpServiceSpec,
  writeGcpHandler,
} from '../../helpers/deploy/gcp-service';
import { until } from '../../helpers/eventually';
import { countCalls } from '../../helpers/request-log';
import { services, uniqueRepository } from '../../helpers/services';
import { FRAMEWORKS, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls, startSls } from '../../helpers/sls/sls-process';

const scratch = useScratchDir();

/** `Operation subject` of each Cloud Functions write, in order (the function id, or the call). */
const gcpWrites = (requests: LoggedRequest[]) =>
  requests
    .filter((r) => r.provider === 'gcp' && r.write)
    .map((r) =>
      r.operation === 'UploadSource' ? 'UploadSource' : `${r.operation} ${r.path.split('/').at(-1)}`,
    );

describe.each(FRAMEWORKS)('%s: sls deploy to the local Cloud Functions control plane', (_name, id, cli) => {
  let cloud: LocalCloud;
  let service: ReturnType<typeof createGcpService>;
  let spec: GcpServiceSpec;
  const sls = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runSls(cli(), service.dir, args, scratch.dir, env);
  const fnId = (key: string) => `${spec.service}-dev-${key}`.toLowerCase();
  const deployed = () =>
    Object.fromEntries(
      cloud.gcpPlane.list().map((r) => [r.function.name.split('/').at(-1) ?? '', r.function] as const),
    );

  beforeAll(async () => {
    cloud = await startLocalCloud({
      aws: { pendingMs: 100, updateMs: 100 },
      gcp: {
        behaviour: { operationMs: 200 },
        // Stands in for the emulator behind the function URL: proves what the plane was asked to run.
        invoker: async (fn, zip, request) => ({
          status: 200,
          headers: [['content-type', 'application/json']],
          body: Buffer.from(
            JSON.stringify({
              ran: fn.name,
              zipBytes: zip?.length,
              event: JSON.parse(request.body.toString()),
            }),
          ),
        }),
      },
    });
    spec = {
      service: `fp-gcp-${id}`,
      repositoryPrefix: `${services().registry.host}/${uniqueRepository(`gcp-${id}`)}`,
      functions: ['alpha', 'beta', 'onOrder'],
      settings: { onOrder: { events: [{ pubsub: 'orders' }] } },
    };
    service = createGcpService(spec);
    await publishForLocalCloud(service.dir, cloud, sls);
  });
  afterAll(async () => {
    await cloud?.stop();
    service?.remove();
  });

  test('a first deploy creates every function through upload URLs and operations polled to completion', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    const functions = deployed();
    expect(Object.keys(functions).sort()).toEqual(['alpha', 'beta', 'onOrder'].map(fnId).sort());
    for (const fn of Object.values(functions)) {
      expect(fn.state).toBe('ACTIVE');
      expect(fn.buildConfig?.runtime).toBe('nodejs22');
      expect(fn.labels?.['faasport-digest-hi']).toMatch(/^[a-f0-9]{32}$/);
      expect(fn.labels?.['faasport-service']).toBe(spec.service);
    }
    expect(functions[fnId('onOrder')]?.eventTrigger?.pubsubTopic).toBe(
      `projects/${GCP_PROJECT}/topics/orders`,
    );
    const requests = cloud.requests();
    expect(countCalls(requests, 'CreateFunction')).toBe(3);
    expect(countCalls(requests, 'UploadSource')).toBe(3);
    expect(countCalls(requests, 'GetOperation')).toBeGreaterThanOrEqual(3);
  });

  test('a second deploy with the same artefacts makes zero write calls', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('up to date');
    expect(gcpWrites(cloud.requests())).toEqual([]);
    expect(countCalls(cloud.requests(), 'GetFunction')).toBe(3);
  });

  test('new code published for one function: only that function is updated', async () => {
    writeGcpHandler(service.dir, 'beta', 2);
    expect((await sls(['publish', '-f', 'beta'])).code).toBe(0);
    const before = deployed();
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/beta\s+gcp\s+update-code/);
    expect(gcpWrites(cloud.requests())).toEqual([
      'GenerateUploadUrl functions:generateUploadUrl',
      'UploadSource',
      `UpdateFunction ${fnId('beta')}`,
    ]);
    const after = deployed();
    expect(after[fnId('beta')]?.labels?.['faasport-digest-hi']).not.toBe(
      before[fnId('beta')]?.labels?.['faasport-digest-hi'],
    );
    expect(after[fnId('alpha')]?.updateTime).toBe(before[fnId('alpha')]?.updateTime);
  });

  test('sls info shows each function with its digest, state and URL; sls invoke POSTs to the URL', async () => {
    const shown = await sls(['info', '--local-cloud', '.']);
    expect(shown.code, shown.output).toBe(0);
    expect(shown.stdout).toMatch(
      /alpha\s+gcp\s+sha256:[a-f0-9]{12}\s+ACTIVE\s+\S+\s+http:\/\/127\.0\.0\.1:\d+\//,
    );
    expect(shown.stdout).toMatch(/onOrder\s+gcp\s+sha256:[a-f0-9]{12}\s+ACTIVE\s+\S+\s+pubsub:projects\//);
    const invoked = await sls(['invoke', '-f', 'alpha', '--local-cloud', '.', '--data', '{"x":1}']);
    expect(invoked.code, invoked.output).toBe(0);
    expect(JSON.parse(invoked.stdout.trim())).toMatchObject({
      ran: expect.stringContaining(fnId('alpha')),
      event: { x: 1 },
    });
    const event = await sls(['invoke', '-f', 'onOrder', '--local-cloud', '.']);
    expect(event.code).not.toBe(0);
    expect(event.output).toContain('event-driven on Google Cloud Functions');
  });

  test('an image for gcp is refused before any call', async () => {
    service.write({ ...spec, settings: { ...spec.settings, alpha: { packageType: 'image' } } });
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain('Google Cloud Functions gen2 takes only source');
    expect(result.output).toContain('functions.alpha.sourceArtifact');
    expect(cloud.requests()).toEqual([]);
    service.write(spec);
  });

  test('throttling, unavailability and ABORTED are survived; a failed operation is reported, and a re-run converges', async () => {
    spec = { ...spec, settings: { ...spec.settings, alpha: { memorySize: 512 }, beta: { memorySize: 512 } } };
    service.write(spec);
    Object.assign(cloud.gcpPlane.behaviour, { throttleEvery: 3, unavailableNext: 1, abortedNext: 1 });
    cloud.clearRequests();
    const survived = await sls(['deploy', '--local-cloud', '.']);
    Object.assign(cloud.gcpPlane.behaviour, { throttleEvery: 0, unavailableNext: 0, abortedNext: 0 });
    expect(survived.code, survived.output).toBe(0);
    const statuses = cloud.requests().map((r) => r.status);
    for (const status of [429, 503, 409]) expect(statuses).toContain(status);
    expect(deployed()[fnId('alpha')]?.serviceConfig?.availableMemory).toBe('512Mi');

    writeGcpHandler(service.dir, 'alpha', 3);
    expect((await sls(['publish', '-f', 'alpha'])).code).toBe(0);
    cloud.gcpPlane.behaviour.failOperationsNext = 1;
    const failed = await sls(['deploy', '--local-cloud', '.']);
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/1 of 1 changes did not complete \(0 landed\)/);
    expect(failed.output).toMatch(/gcp alpha: the update operation of .* failed: .*Build failed/);
    expect(failed.output).toMatch(/Re-run/);
    expect(deployed()[fnId('alpha')]?.state).toBe('FAILED');

    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(deployed()[fnId('alpha')]?.state).toBe('ACTIVE');
    cloud.clearRequests();
    const steady = await sls(['deploy', '--local-cloud', '.']);
    expect(steady.code, steady.output).toBe(0);
    expect(gcpWrites(cloud.requests())).toEqual([]);
  });

  test('SIGINT in the middle of a deploy, then a re-run, converges', async () => {
    spec = { ...spec, functions: [...spec.functions, 'epsilon', 'zeta'] };
    service.write(spec);
    for (const key of ['epsilon', 'zeta']) writeGcpHandler(service.dir, key, 1);
    expect((await sls(['publish'])).code).toBe(0);
    cloud.gcpPlane.behaviour.operationMs = 3_000;
    cloud.clearRequests();
    const running = startSls(
      cli(),
      service.dir,
      ['deploy', '--local-cloud', '.', '--concurrency', '1'],
      scratch.dir,
    );
    await until(() => countCalls(cloud.requests(), 'CreateFunction') >= 1);
    running.child.kill('SIGINT');
    const interrupted = await running.result;
    cloud.gcpPlane.behaviour.operationMs = 200;
    expect(interrupted.code, interrupted.output).not.toBe(0);
    expect(interrupted.output).toMatch(/interrupted/);
    expect(interrupted.output).toMatch(/Re-run/);
    expect(Object.keys(deployed())).toHaveLength(4);

    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(Object.keys(deployed())).toHaveLength(5);
    cloud.clearRequests();
    const steady = await sls(['deploy', '--local-cloud', '.']);
    expect(steady.code, steady.output).toBe(0);
    expect(gcpWrites(cloud.requests())).toEqual([]);
  });

  test('two targets: a Cloud Functions failure does not stop AWS; sls remove clears both', async () => {
    spec = {
      ...spec,
      withAws: true,
      settings: { ...spec.settings, alpha: { ...spec.settings?.alpha, targets: ['aws', 'gcp'] } },
    };
    service.write(spec);
    writeGcpHandler(service.dir, 'alpha', 4);
    expect((await sls(['publish', '-f', 'alpha'])).code).toBe(0);
    cloud.gcpPlane.behaviour.failOperationsNext = 1;
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(/✔ aws alpha: create/);
    expect(result.output).toMatch(/✖ gcp alpha: update-code/);
    expect(cloud.lambda.list().map((fn) => fn.configuration.FunctionName)).toEqual([
      `${spec.service}-dev-alpha`,
    ]);
    expect((await sls(['deploy', '--local-cloud', '.'])).code).toBe(0);
    expect(deployed()[fnId('alpha')]?.state).toBe('ACTIVE');

    const removed = await sls(['remove', '--local-cloud', '.']);
    expect(removed.code, removed.output).toBe(0);
    expect(deployed()).toEqual({});
    expect(cloud.lambda.list()).toEqual([]);
  });
});
