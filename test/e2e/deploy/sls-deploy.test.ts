import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import { createService, ROLE, type ServiceSpec, writeHandler } from '../../helpers/deploy/aws-service';
import { until } from '../../helpers/eventually';
import { awsCredentials } from '../../helpers/local-cloud-auth';
import { countCalls } from '../../helpers/request-log';
import { services, uniqueRepository } from '../../helpers/services';
import { FRAMEWORKS, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls, startSls } from '../../helpers/sls/sls-process';

const scratch = useScratchDir();

/** The function a Lambda call is about: `/…/functions/<name>/…` or `/…/tags/<arn>`. */
function subject(path: string): string {
  const segments = path.split('/').map(decodeURIComponent);
  const after = (marker: string) => segments[segments.indexOf(marker) + 1];
  if (segments.includes('tags')) return (after('tags') ?? '').replace(/^.*:function:/, '');
  return segments.includes('functions') ? (after('functions') ?? '') : '';
}
/** `Operation function-name` for each write call, in order. */
const writesOf = (requests: LoggedRequest[]) =>
  requests.filter((r) => r.write).map((r) => `${r.operation} ${subject(r.path)}`.trim());

describe.each(FRAMEWORKS)('%s: sls deploy to the local Lambda control plane', (_name, id, cli) => {
  let cloud: LocalCloud;
  let service: ReturnType<typeof createService>;
  let spec: ServiceSpec;
  const sls = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runSls(cli(), service.dir, args, scratch.dir, env);
  const deployed = () =>
    Object.fromEntries(cloud.lambda.list().map((fn) => [fn.configuration.FunctionName, fn]));
  const fnName = (key: string) => `${spec.service}-dev-${key}`;

  beforeAll(async () => {
    cloud = await startLocalCloud({
      aws: { pendingMs: 200, updateMs: 200 },
      // Stands in for the emulator (not wired yet): proves what the control plane was asked to run.
      invoker: async (fn, code, payload) => ({
        payload: Buffer.from(
          JSON.stringify({
            ran: fn.configuration.FunctionName,
            zipBytes: code?.length,
            event: JSON.parse(payload.toString()),
          }),
        ),
      }),
    });
    spec = {
      service: `fp-e2e-${id}`,
      repositoryPrefix: `${services().registry.host}/${uniqueRepository(`deploy-${id}`)}`,
      functions: ['alpha', 'beta', 'gamma'],
    };
    service = createService(spec);
    await publishForLocalCloud(service.dir, cloud, sls);
  });
  afterAll(async () => {
    await cloud?.stop();
    service?.remove();
  });

  test('--dry-run prints the plan (three creates) and makes no write call', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--dry-run', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/alpha\s+aws\s+create/);
    expect(result.stdout).toContain('3 create');
    expect(result.stdout).toContain('nothing was changed');
    expect(writesOf(cloud.requests())).toEqual([]);
    expect(countCalls(cloud.requests(), 'GetFunction')).toBe(3);
  });

  test('a first deploy creates every function, digests tagged last', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    const functions = deployed();
    expect(Object.keys(functions).sort()).toEqual(['alpha', 'beta', 'gamma'].map(fnName));
    for (const fn of Object.values(functions)) {
      expect(fn.configuration.State).toBe('Active');
      expect(fn.configuration.MemorySize).toBe(256);
      expect(fn.tags['faasport:digest']).toMatch(/^sha256:[a-f0-9]{64}$/);
      expect(fn.tags['faasport:service']).toBe(spec.service);
      expect(Buffer.from(fn.tags['faasport:zip-digest']?.slice(7) ?? '', 'hex').toString('base64')).toBe(
        fn.configuration.CodeSha256,
      );
    }
    const writes = writesOf(cloud.requests());
    expect(writes.filter((w) => w.startsWith('CreateFunction'))).toHaveLength(3);
    expect(writes.filter((w) => w.startsWith('TagResource'))).toHaveLength(3);
    // per function, the digest tag is the last write
    for (const key of ['alpha', 'beta', 'gamma']) {
      expect(writes.filter((w) => w.endsWith(fnName(key))).at(-1)).toBe(`TagResource ${fnName(key)}`);
    }
  });

  test('a second deploy with the same artefacts makes zero write calls', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('up to date');
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('new code published for one function: only that function is updated', async () => {
    writeHandler(service.dir, 'beta', 2);
    const published = await sls(['publish', '-f', 'beta']);
    expect(published.code, published.output).toBe(0);
    const before = deployed();
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toMatch(/beta\s+aws\s+update-code/);
    expect(writesOf(cloud.requests())).toEqual([
      `UpdateFunctionCode ${fnName('beta')}`,
      `TagResource ${fnName('beta')}`,
    ]);
    const after = deployed();
    expect(after[fnName('beta')]?.tags['faasport:digest']).not.toBe(
      before[fnName('beta')]?.tags['faasport:digest'],
    );
    expect(after[fnName('alpha')]?.configuration.RevisionId).toBe(
      before[fnName('alpha')]?.configuration.RevisionId,
    );
  });

  test('sls deploy function -f changes only that function', async () => {
    service.write({ ...spec, settings: { alpha: { timeout: 20 }, beta: { timeout: 20 } } });
    cloud.clearRequests();
    const result = await sls(['deploy', 'function', '-f', 'alpha', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([`UpdateFunctionConfiguration ${fnName('alpha')}`]);
    expect(deployed()[fnName('alpha')]?.configuration.Timeout).toBe(20);
    expect(deployed()[fnName('beta')]?.configuration.Timeout).toBe(10);
    service.write(spec);
  });

  test('sls invoke -f --target aws calls Invoke on the deployed function', async () => {
    const result = await sls([
      'invoke',
      '-f',
      'beta',
      '--target',
      'aws',
      '--local-cloud',
      '.',
      '--data',
      '{"x":1}',
    ]);
    expect(result.code, result.output).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toMatchObject({ ran: fnName('beta'), event: { x: 1 } });
    expect(cloud.requests().at(-1)?.operation).toBe('Invoke');
  });

  test('a bad serverless.yml fails with the path of the field, before any call', async () => {
    const cases: Array<[ServiceSpec, string]> = [
      [{ ...spec, settings: { alpha: { memorySize: 64 } } }, 'functions.alpha.memorySize'],
      [{ ...spec, settings: { alpha: { timeout: 1200 } } }, 'functions.alpha.timeout'],
      [
        { ...spec, settings: { alpha: { sourceArtifact: `${services().registry.host}/Upper/Case:v1` } } },
        'functions.alpha.sourceArtifact',
      ],
      [{ ...spec, settings: { alpha: { targets: ['gcp'] } } }, 'functions.alpha.targets'],
    ];
    for (const [bad, path] of cases) {
      service.write(bad);
      cloud.clearRequests();
      const result = await sls(['deploy', '--local-cloud', '.']);
      expect(result.code, result.output).not.toBe(0);
      expect(result.output).toContain(path);
      expect(result.output).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
      expect(cloud.requests()).toEqual([]);
    }
    service.write(spec);
  });

  test('role propagation, conflicts and throttling are survived', async () => {
    spec = { ...spec, functions: [...spec.functions, 'delta'], settings: { alpha: { memorySize: 512 } } };
    service.write(spec);
    writeHandler(service.dir, 'delta', 1);
    expect((await sls(['publish', '-f', 'delta'])).code).toBe(0);
    Object.assign(cloud.aws, { rolePropagationFailures: 2, concurrentUpdates: 2, throttleEvery: 4 });
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    Object.assign(cloud.aws, { rolePropagationFailures: 0, concurrentUpdates: 0, throttleEvery: 0 });
    expect(result.code, result.output).toBe(0);
    const requests = cloud.requests();
    expect(requests.filter((r) => r.status === 400 && r.operation === 'CreateFunction')).toHaveLength(2);
    expect(requests.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(1);
    expect(requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const functions = deployed();
    expect(functions[fnName('delta')]?.tags['faasport:digest']).toMatch(/^sha256:/);
    expect(functions[fnName('alpha')]?.configuration.MemorySize).toBe(512);
    cloud.clearRequests();
    const again = await sls(['deploy', '--local-cloud', '.']);
    expect(again.code, again.output).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('SIGINT in the middle of a deploy, then a re-run, converges', async () => {
    spec = { ...spec, functions: [...spec.functions, 'epsilon', 'zeta'] };
    service.write(spec);
    for (const key of ['epsilon', 'zeta']) writeHandler(service.dir, key, 1);
    expect((await sls(['publish'])).code).toBe(0);
    cloud.aws.pendingMs = 5_000;
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
    cloud.aws.pendingMs = 200;
    expect(interrupted.code, interrupted.output).not.toBe(0);
    expect(interrupted.output).toMatch(/interrupted/);
    expect(interrupted.output).toMatch(/Re-run/);
    expect(deployed()[fnName('zeta')]).toBeUndefined();

    const resumed = await sls(['deploy', '--local-cloud', '.']);
    expect(resumed.code, resumed.output).toBe(0);
    for (const fn of Object.values(deployed())) expect(fn.tags['faasport:digest']).toMatch(/^sha256:/);
    cloud.clearRequests();
    const steady = await sls(['deploy', '--local-cloud', '.']);
    expect(steady.code, steady.output).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([]);
  });

  test('a function removed from serverless.yml is deleted; sls info shows the rest', async () => {
    spec = { ...spec, functions: spec.functions.filter((key) => key !== 'gamma') };
    service.write(spec);
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(writesOf(cloud.requests())).toEqual([`DeleteFunction ${fnName('gamma')}`]);
    expect(result.stdout).toMatch(/gamma\s+aws\s+delete\s+no longer in serverless.yml/);
    const shown = await sls(['info', '--local-cloud', cloud.endpoints.aws.lambda]); // the URL form
    expect(shown.code, shown.output).toBe(0);
    expect(shown.stdout).toMatch(/alpha\s+aws\s+sha256:[a-f0-9]{12}\s+Active/);
    expect(shown.stdout).not.toContain('gamma');
  });

  test("sls package writes each function's deterministic zip: the bytes that were published", async () => {
    const result = await sls(['package']);
    expect(result.code, result.output).toBe(0);
    const zip = readFileSync(join(service.dir, '.serverless', 'alpha.zip'));
    const digest = `sha256:${createHash('sha256').update(zip).digest('hex')}`;
    expect(deployed()[fnName('alpha')]?.tags['faasport:zip-digest']).toBe(digest);
    expect(result.stdout).toContain(digest);
  });

  test('sls remove deletes only the functions this service and stage own', async () => {
    const lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: cloud.endpoints.aws.lambda,
      credentials: awsCredentials(cloud.endpoints.auth),
    });
    const zip = readFileSync(join(service.dir, '.serverless', 'alpha.zip'));
    const foreign: Record<string, Record<string, string>> = {
      [`${spec.service}-dev-foreign`]: {},
      [`${spec.service}-dev-otherstage`]: {
        'faasport:managed-by': 'faasport',
        'faasport:service': spec.service,
        'faasport:stage': 'prod',
      },
    };
    for (const [name, tags] of Object.entries(foreign)) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Role: ROLE,
          Runtime: 'nodejs22.x',
          Handler: 'fn/alpha.handler',
          Code: { ZipFile: zip },
          Tags: tags,
        }),
      );
    }
    lambda.destroy();
    const result = await sls(['remove'], { FAASPORT_LOCAL_CLOUD: '1' }); // the environment form
    expect(result.code, result.output).toBe(0);
    expect(Object.keys(deployed()).sort()).toEqual(Object.keys(foreign).sort());
  });
});
