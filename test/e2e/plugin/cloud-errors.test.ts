import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { createService } from '../../helpers/deploy/aws-service';
import { services, uniqueRepository } from '../../helpers/services';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { publishForLocalCloud } from '../../helpers/sls/local-cloud-service';
import { runSls, type SlsResult } from '../../helpers/sls/sls-process';

// What a user with a fresh project and no cloud account set up sees: the frameworks run with no
// AWS_*, AZURE_* or GOOGLE_* variables and a HOME without ~/.aws, ~/.azure or ~/.config/gcloud
// (offlineFrameworkEnv), so each SDK's default credential chain finds nothing.
const PLAN =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan';
const THREE_CLOUDS = `service: first-minute
configValidationMode: error
plugins: [serverless-faasport]
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    aws: { region: us-east-1, role: 'arn:aws:iam::000000000000:role/first-minute' }
    azure:
      subscriptionId: 00000000-0000-0000-0000-000000000000
      resourceGroup: rg
      location: westeurope
      storageAccount: firstminute
      plan: { sku: premium, id: '${PLAN}' }
    gcp: { project: first-minute, region: europe-west1 }
functions:
  hello:
    handler: handler.hello
    targets: [aws, azure, gcp]
`;

const scratch = useScratchDir();

/** faasport's usual failure: a line, a hint (→), and no stack trace. */
function expectOneLineError(result: SlsResult, message: RegExp): void {
  expect(result.code, result.output).not.toBe(0);
  expect(result.output).toMatch(message);
  expect(result.output).toMatch(/→ .*--local-cloud/);
  expect(result.output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(result.output).not.toMatch(
    /CredentialsProviderError|AggregateAuthenticationError|Uncaught exception/,
  );
}

describe.each(FRAMEWORKS)('%s without cloud credentials', (_name, _id, cli) => {
  let service: ServiceDir;
  const sls = (args: string[]) => runSls(cli(), service.dir, args, scratch.dir);

  beforeAll(async () => {
    service = serviceDir(THREE_CLOUDS);
    writeFileSync(join(service.dir, 'handler.js'), 'exports.hello = async () => ({ statusCode: 200 });\n');
    const published = await sls(['publish']);
    expect(published.code, published.output).toBe(0);
  });
  afterAll(() => service?.remove());

  test.each([
    ['aws', /no AWS credentials found\n\s+→ .*AWS_ACCESS_KEY_ID.*AWS_PROFILE/],
    ['azure', /no Azure credentials found\n\s+→ .*az login.*AZURE_CLIENT_ID/],
    ['gcp', /no Google Cloud credentials found\n\s+→ .*gcloud auth application-default login/],
  ])(
    'sls deploy --dry-run --target %s says which credentials are missing and how to give them',
    async (target, message) => {
      expectOneLineError(await sls(['deploy', '--dry-run', '--target', target]), message);
    },
  );

  test('sls invoke -f hello --target aws says the same', async () => {
    expectOneLineError(await sls(['invoke', '-f', 'hello', '--target', 'aws']), /no AWS credentials found/);
  });

  test('sls info and sls remove say the same', async () => {
    expectOneLineError(await sls(['info', '--target', 'aws']), /no AWS credentials found/);
    expectOneLineError(await sls(['remove', '--target', 'gcp']), /no Google Cloud credentials found/);
  });
});

describe.each(FRAMEWORKS)('%s: sls invoke --local-cloud after sls remove', (_name, id, cli) => {
  let cloud: LocalCloud;
  let stopped = false;
  let service: ReturnType<typeof createService>;
  const sls = (args: string[]) => runSls(cli(), service.dir, args, scratch.dir);

  beforeAll(async () => {
    cloud = await startLocalCloud({
      aws: { pendingMs: 50, updateMs: 50 },
      invoker: async () => ({ payload: Buffer.from('"ran"') }),
    });
    service = createService({
      service: `fp-errors-${id}`,
      repositoryPrefix: `${services().registry.host}/${uniqueRepository(`errors-${id}`)}`,
      functions: ['alpha'],
    });
    await publishForLocalCloud(service.dir, cloud, sls);
  });
  afterAll(async () => {
    if (!stopped) await cloud?.stop();
    service?.remove();
  });

  test('says the function is not deployed there, and to deploy it', async () => {
    const deployed = await sls(['deploy', '--local-cloud', '.']);
    expect(deployed.code, deployed.output).toBe(0);
    expect((await sls(['invoke', '-f', 'alpha', '--local-cloud', '.'])).stdout).toContain('ran');
    const removed = await sls(['remove', '--local-cloud', '.']);
    expect(removed.code, removed.output).toBe(0);

    const result = await sls(['invoke', '-f', 'alpha', '--local-cloud', '.']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(
      `function alpha is not deployed to the local cloud's Lambda (fp-errors-${id}-dev-alpha)`,
    );
    expect(result.output).toMatch(/→ Deploy it first: sls deploy --local-cloud \./);
    expect(result.output).not.toMatch(/ResourceNotFoundException|\n\s+at .+:\d+:\d+/);
  });

  test('a local cloud that has stopped is named, with how to start it', async () => {
    await cloud.stop();
    stopped = true;
    const result = await sls(['info', '--local-cloud', '.']);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toMatch(/the local cloud at http:\/\/\S+ does not answer \(ECONNREFUSED\)/);
    expect(result.output).toMatch(/→ Start it again with `faasport emulate --cloud`/);
    expect(result.output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
