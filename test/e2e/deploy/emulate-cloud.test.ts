import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DeployedLambdaFunction } from '../../../local-cloud/aws/deployed-function';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import type { LoggedRequest } from '../../../local-cloud/request-log';
import { createService } from '../../helpers/deploy/aws-service';
import { bearerHeader } from '../../helpers/local-cloud-auth';
import { services, uniqueRepository } from '../../helpers/services';
import { repoRoot, useScratchDir } from '../../helpers/sls/framework-cli';
import { runSls, startSls } from '../../helpers/sls/sls-process';

const scratch = useScratchDir();
let service: ReturnType<typeof createService>;
beforeAll(() => {
  service = createService({
    service: 'fp-emulate-cloud',
    repositoryPrefix: `${services().registry.host}/${uniqueRepository('emulate-cloud')}`,
    functions: ['one'],
  });
});
afterAll(() => {
  service?.remove();
});

test('faasport emulate --cloud serves the control planes, writes .faasport/cloud.json, and sls deploy records the function there', async () => {
  const cli = services().frameworks.serverless3;
  expect((await runSls(cli, service.dir, ['publish'], scratch.dir)).code).toBe(0);
  const emulator = startSls(
    join(repoRoot, 'bin', 'faasport.js'),
    service.dir,
    ['emulate', '--cloud', '--engine', 'process', '--port', '0', '--lambda-port', '0', '--no-watch'],
    scratch.dir,
  );
  try {
    const cloudFile = join(service.dir, '.faasport', 'cloud.json');
    for (let i = 0; i < 300 && !existsSync(cloudFile); i += 1) await new Promise((r) => setTimeout(r, 50));
    const endpoints = JSON.parse(readFileSync(cloudFile, 'utf8')) as LocalCloudEndpoints;
    expect(endpoints.aws.lambda).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const deployed = await runSls(cli, service.dir, ['deploy', '--local-cloud', '.'], scratch.dir);
    expect(deployed.code, deployed.output).toBe(0);

    const log = (await (
      await fetch(`${endpoints.aws.lambda}/__faasport/cloud/requests`, {
        headers: bearerHeader(endpoints.auth),
      })
    ).json()) as LoggedRequest[];
    expect(log.filter((r) => r.write).map((r) => r.operation)).toEqual(['CreateFunction', 'TagResource']);
    for (const entry of log) {
      expect(Object.keys(entry).sort()).toEqual([
        'at',
        'method',
        'operation',
        'path',
        'provider',
        'status',
        'write',
      ]);
    }

    const recordDir = join(service.dir, '.faasport', 'cloud', 'aws', 'functions', 'fp-emulate-cloud-dev-one');
    const record = JSON.parse(
      readFileSync(join(recordDir, 'function.json'), 'utf8'),
    ) as DeployedLambdaFunction;
    expect(record.configuration.Handler).toBe('fn/one.handler');
    expect(record.tags['faasport:digest']).toMatch(/^sha256:/);
    const zip = readFileSync(join(recordDir, record.codeFile ?? ''));
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  } finally {
    emulator.child.kill('SIGINT');
    const stopped = await emulator.result;
    expect(stopped.stdout).toContain('Local cloud');
  }
});
