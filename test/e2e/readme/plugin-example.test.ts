import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, expect, test } from 'vitest';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import { startEmulateCli } from '../../helpers/emulate-cli';
import { awsCredentials, bearerHeader } from '../../helpers/local-cloud-auth';
import { services } from '../../helpers/services';
import { repoRoot, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { runSls } from '../../helpers/sls/sls-process';

/** The README's plugin example, exactly as written (the yaml block that starts `# serverless.yml`). */
function readmePluginExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /```yaml\n(# serverless\.yml\n[\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```yaml block starting with "# serverless.yml"');
  return block;
}

/** `count` consecutive ports that were free a moment ago, for `--cloud-port`. */
async function freeConsecutivePorts(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let i = 0; i < count && ok; i += 1) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

const scratch = useScratchDir();
let service: ServiceDir | undefined;
afterAll(() => service?.remove());

test("the README's plugin example deploys to faasport emulate --cloud (--cloud-port) with sls publish + sls deploy --local-cloud .", async () => {
  const yml = readmePluginExample();
  expect(yml).toContain('plugins:\n  - serverless-faasport');
  service = serviceDir(yml);
  const handler = /handler: (\S+)\.handler/.exec(yml)?.[1] ?? '';
  mkdirSync(join(service.dir, handler, '..'), { recursive: true });
  writeFileSync(
    join(service.dir, `${handler}.js`),
    `exports.handler = async () => ({ statusCode: 200, body: 'hello from the README' });\n`,
  );
  const cloudPort = await freeConsecutivePorts(4);
  const emulator = await startEmulateCli(
    [
      '--cloud',
      '--cloud-port',
      String(cloudPort),
      '--engine',
      'process',
      '--port',
      '0',
      '--lambda-port',
      '0',
      '--no-watch',
    ],
    {
      cwd: service.dir,
      env: { ...process.env, FAASPORT_AZURE_BLOB_ENDPOINT: services().azurite.blobEndpoint },
    },
  );
  try {
    const endpoints = JSON.parse(
      readFileSync(join(service.dir, '.faasport', 'cloud.json'), 'utf8'),
    ) as LocalCloudEndpoints;
    expect(endpoints.aws.lambda).toBe(`http://127.0.0.1:${cloudPort}`);
    expect(endpoints.aws.s3).toBe(`http://127.0.0.1:${cloudPort + 1}`);
    expect(endpoints.azure?.arm).toBe(`https://127.0.0.1:${cloudPort + 2}`);
    expect(endpoints.gcp?.functions).toBe(`http://127.0.0.1:${cloudPort + 3}`);

    const cli = services().frameworks.serverless3;
    const published = await runSls(cli, service.dir, ['publish'], scratch.dir);
    expect(published.code, published.output).toBe(0);
    const deployed = await runSls(cli, service.dir, ['deploy', '--local-cloud', '.'], scratch.dir);
    expect(deployed.code, deployed.output).toBe(0);
    expect(deployed.output).not.toContain('role is not set');

    const log = (await (
      await fetch(`${endpoints.aws.lambda}/__faasport/cloud/requests`, {
        headers: bearerHeader(endpoints.auth),
      })
    ).json()) as LoggedRequest[];
    expect(log.filter((r) => r.write).map((r) => r.operation)).toContain('CreateFunction');
    // The local Lambda plane checks SigV4 signatures: a client signs with the key in cloud.json.
    const lambda = new LambdaClient({
      region: endpoints.aws.region,
      endpoint: endpoints.aws.lambda,
      credentials: awsCredentials(endpoints.auth),
    });
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'my-service-dev-hello' }));
    expect(fn.Configuration?.Role).toBe('arn:aws:iam::000000000000:role/faasport-local-lambda');
    const invoked = await lambda.send(
      new InvokeCommand({ FunctionName: 'my-service-dev-hello', Payload: Buffer.from('{}') }),
    );
    lambda.destroy();
    expect(invoked.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(invoked.Payload ?? []).toString())).toMatchObject({
      statusCode: 200,
      body: 'hello from the README',
    });

    // And the emulator serves the example's own route.
    const route = emulator.url(/GET\s+(http:\/\/\S+\/hello)/);
    const response = await fetch(route);
    expect(await response.text()).toBe('hello from the README');
  } finally {
    await emulator.stop();
  }
});
