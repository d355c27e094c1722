import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { azurite, services, uniqueRepository } from '../../helpers/services';
import { serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls } from '../../helpers/sls/sls-process';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * serverless.example.yml as shipped, with its registry pointed at the test rig's: one `sls deploy`
 * sends the same artefact to Lambda, Azure Functions and Cloud Functions at once.
 */
const scratch = useScratchDir();

describe('serverless.example.yml: one sls deploy, three clouds', () => {
  let cloud: LocalCloud;
  let service: ReturnType<typeof serviceDir>;
  const sls = (args: string[]) => runSls(services().frameworks.serverless3, service.dir, args, scratch.dir);

  beforeAll(async () => {
    const repository = `${services().registry.host}/${uniqueRepository('example')}`;
    const yml = readFileSync(join(repoRoot, 'serverless.example.yml'), 'utf8');
    expect(yml).toContain('127.0.0.1:5000/faasport-example/');
    service = serviceDir(yml.replaceAll('127.0.0.1:5000/faasport-example', repository));
    for (const fixture of ['node-portable', 'python-aws']) {
      cpSync(join(repoRoot, 'fixtures', fixture), join(service.dir, 'fixtures', fixture), {
        recursive: true,
      });
    }
    const { blobEndpoint: endpoint, account, key } = azurite();
    cloud = await startLocalCloud({
      aws: { pendingMs: 100, updateMs: 100 },
      azure: { behaviour: { provisioningMs: 100 }, blob: { endpoint, account, key } },
      gcp: { behaviour: { operationMs: 100 } },
    });
    await publishForLocalCloud(service.dir, cloud, sls);
  });
  afterAll(async () => {
    await cloud?.stop();
    service?.remove();
  });

  test('every function lands on each of its targets, the same digest everywhere', async () => {
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Deployed: 5 of 5 changes landed.');

    const lambdas = Object.fromEntries(cloud.lambda.list().map((fn) => [fn.configuration.FunctionName, fn]));
    expect(Object.keys(lambdas).sort()).toEqual([
      'faasport-example-dev-hello',
      'faasport-example-dev-pyhello',
    ]);
    const sites = cloud.azurePlane.webApps.list();
    expect(sites.map((site) => site.name)).toEqual(['faasport-example-dev-hello']);
    const functions = Object.fromEntries(
      cloud.gcpPlane.list().map((record) => [record.function.name.split('/').at(-1), record.function]),
    );
    expect(Object.keys(functions).sort()).toEqual([
      'faasport-example-dev-hello',
      'faasport-example-dev-helloevent',
    ]);

    // hello: one artefact, one digest, on three clouds (and helloEvent shares it on GCP).
    const digest = lambdas['faasport-example-dev-hello']?.tags['faasport:digest'];
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(sites[0]?.tags['faasport-digest']).toBe(digest);
    for (const name of ['faasport-example-dev-hello', 'faasport-example-dev-helloevent']) {
      const labels = functions[name]?.labels ?? {};
      expect(`sha256:${labels['faasport-digest-hi']}${labels['faasport-digest-lo']}`).toBe(digest);
    }
    // pyhello comes from the local OCI layout, not the registry: another artefact.
    expect(lambdas['faasport-example-dev-pyhello']?.tags['faasport:digest']).not.toBe(digest);
  });

  test('a second deploy writes nothing on any cloud; sls info lists the five deployments', async () => {
    cloud.clearRequests();
    const result = await sls(['deploy', '--local-cloud', '.']);
    expect(result.code, result.output).toBe(0);
    const writes = cloud.requests().filter((request) => request.write);
    expect(writes).toEqual([]);
    const providers = new Set(cloud.requests().map((request) => request.provider));
    expect([...providers].sort()).toEqual(['aws', 'azure', 'gcp']);

    const info = await sls(['info', '--local-cloud', '.']);
    expect(info.code, info.output).toBe(0);
    for (const row of [/hello\s+aws/, /pyhello\s+aws/, /hello\s+azure/, /hello\s+gcp/, /helloEvent\s+gcp/]) {
      expect(info.stdout).toMatch(row);
    }
  });
});
