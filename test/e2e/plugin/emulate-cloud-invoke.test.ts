import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, test } from 'vitest';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import { awsCredentials } from '../../helpers/local-cloud-auth';
import { freePort } from '../../helpers/ports';
import { FRAMEWORKS, type ServiceDir, serviceDir, useScratchDir } from '../../helpers/sls/framework-cli';
import { zipFiles } from '../../helpers/zip';
import { bannerPrinted, startEmulating } from './emulate-process';

const SERVICE = `service: e2ecloud
configValidationMode: error
plugins:
  - serverless-faasport
provider:
  name: faasport
  stage: dev
  runtime: nodejs22.x
  targets:
    aws:
      region: us-east-1
functions:
  local:
    handler: local.handler
`;

const DEPLOYED = `let invocations = 0;
exports.handler = async (event) => ({ invocations: ++invocations, event, from: process.env.FROM });
`;

const zipOf = (name: string, text: string) => zipFiles({ [name]: text });

const scratch = useScratchDir();

describe.each(FRAMEWORKS)('%s emulate --cloud', (_framework, _id, cli) => {
  const dirs: ServiceDir[] = [];
  afterAll(() => {
    for (const dir of dirs) dir.remove();
  });

  test('a function deployed to the local Lambda control plane runs when invoked, cold then warm', async () => {
    const service = serviceDir(SERVICE);
    dirs.push(service);
    const [port, lambdaPort] = await Promise.all([freePort(), freePort()]);
    const emulating = startEmulating(
      cli(),
      service.dir,
      [
        'emulate',
        '--cloud',
        '--engine',
        'process',
        '--port',
        String(port),
        '--lambda-port',
        String(lambdaPort),
      ],
      scratch.dir,
    );
    const client = { current: undefined as LambdaClient | undefined };
    try {
      await bannerPrinted(emulating);
      expect(emulating.output()).toContain('Local cloud');
      const endpoints = JSON.parse(
        readFileSync(join(service.dir, '.faasport', 'cloud.json'), 'utf8'),
      ) as LocalCloudEndpoints;
      const lambda = new LambdaClient({
        region: 'us-east-1',
        endpoint: endpoints.aws.lambda,
        credentials: awsCredentials(endpoints.auth),
      });
      client.current = lambda;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'e2ecloud-dev-deployed',
          Role: 'arn:aws:iam::000000000000:role/fn',
          Runtime: 'nodejs22.x',
          Handler: 'app.handler',
          Environment: { Variables: { FROM: 'the local cloud' } },
          Code: { ZipFile: await zipOf('app.js', DEPLOYED) },
        }),
      );
      await waitUntilFunctionActiveV2(
        { client: lambda, minDelay: 0.05, maxDelay: 0.2, maxWaitTime: 30 },
        { FunctionName: 'e2ecloud-dev-deployed' },
      );
      const call = async (n: number) => {
        const out = await lambda.send(
          new InvokeCommand({
            FunctionName: 'e2ecloud-dev-deployed',
            Payload: Buffer.from(JSON.stringify({ n })),
          }),
        );
        expect(out.FunctionError, emulating.output()).toBeUndefined();
        return JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')) as unknown;
      };
      expect(await call(1)).toEqual({ invocations: 1, event: { n: 1 }, from: 'the local cloud' });
      expect(await call(2)).toEqual({ invocations: 2, event: { n: 2 }, from: 'the local cloud' });
    } finally {
      client.current?.destroy();
      await emulating.stop();
    }
  });
});
