import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeployedCode } from '../../../emulator/code/deployed-code';
import { DockerEngine } from '../../../emulator/engines/docker-engine';
import type { Engine } from '../../../emulator/engines/engine';
import { ProcessEngine } from '../../../emulator/engines/process-engine';
import { MemoryLogger } from '../../../emulator/logger';
import { DeployedLambdas } from '../../../emulator/providers/aws/deployed-lambdas';
import { type ServedCloud, serveCloud } from '../../../local-cloud/serve-cloud';
import { dockerClient } from '../../helpers/docker';
import { awsCredentials } from '../../helpers/local-cloud-auth';
import { zipFiles } from '../../helpers/zip';

/** A handler that counts its invocations in module state: 1 on a cold start, more when warm. */
const handler = (version: string) => `let invocations = 0;
exports.handler = async (event, context) => {
  invocations += 1;
  if (event.fail) throw new Error('asked to fail');
  return {
    version: ${JSON.stringify(version)},
    invocations,
    event,
    greeting: process.env.GREETING,
    functionName: context.functionName,
    memoryLimitInMB: context.memoryLimitInMB,
    remainingPositive: context.getRemainingTimeInMillis() > 0,
  };
};
`;

const waiter = (client: LambdaClient) => ({ client, minDelay: 0.05, maxDelay: 0.2, maxWaitTime: 20 });
const NAME = 'svc-dev-deployed';

const engines: [string, () => Engine][] = [
  ['process', () => new ProcessEngine({ stopGraceMs: 1000 })],
  ['docker', () => new DockerEngine({ docker: dockerClient(), stopGraceMs: 1000 })],
];

describe.each(engines)('functions deployed to the local cloud run on the %s engine', (_name, makeEngine) => {
  let serviceDir: string;
  let deployed: DeployedLambdas;
  let served: ServedCloud;
  let lambda: LambdaClient;
  const logger = new MemoryLogger();

  const invoke = async (payload: unknown) => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: NAME, Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    return {
      status: out.StatusCode,
      error: out.FunctionError,
      result: JSON.parse(Buffer.from(out.Payload ?? []).toString()),
    };
  };

  beforeAll(async () => {
    serviceDir = await mkdtemp(join(tmpdir(), 'faasport-deployed-'));
    const engine = makeEngine();
    await engine.cleanup();
    deployed = new DeployedLambdas({
      engine,
      code: new DeployedCode(join(serviceDir, '.faasport', 'deployed')),
      logger,
      idleTimeoutMs: 60_000,
      defaultConcurrency: 2,
    });
    served = await serveCloud(serviceDir, { host: '127.0.0.1', invokers: { aws: deployed.invoker } });
    lambda = new LambdaClient({
      region: 'us-east-1',
      endpoint: served.cloud.endpoints.aws.lambda,
      credentials: awsCredentials(served.cloud.endpoints.auth),
    });
  });
  afterAll(async () => {
    lambda?.destroy();
    await served?.cloud.stop();
    await deployed?.close();
    await rm(serviceDir, { recursive: true, force: true });
  });

  test('CreateFunction, then Invoke runs the deployed zip with its configuration; the second call is warm', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: NAME,
        Role: 'arn:aws:iam::000000000000:role/fn',
        Runtime: 'nodejs22.x',
        Handler: 'src/app.handler',
        MemorySize: 256,
        Timeout: 10,
        Environment: { Variables: { GREETING: 'hello' } },
        Code: { ZipFile: await zipFiles({ 'src/app.js': handler('v1') }) },
      }),
    );
    await waitUntilFunctionActiveV2(waiter(lambda), { FunctionName: NAME });

    const first = await invoke({ n: 1 });
    expect(first).toEqual({
      status: 200,
      error: undefined,
      result: {
        version: 'v1',
        invocations: 1,
        event: { n: 1 },
        greeting: 'hello',
        functionName: NAME,
        memoryLimitInMB: '256',
        remainingPositive: true,
      },
    });
    const second = await invoke({ n: 2 });
    expect(second.result).toMatchObject({ version: 'v1', invocations: 2, event: { n: 2 } });
    expect(logger.lines.filter((l) => l.source === NAME && l.text.startsWith('REPORT'))).toHaveLength(2);
  });

  test('a function error is reported as Unhandled, as Lambda does', async () => {
    const failed = await invoke({ fail: true });
    expect(failed.status).toBe(200);
    expect(failed.error).toBe('Unhandled');
    expect(failed.result).toMatchObject({ errorType: 'Error', errorMessage: 'asked to fail' });
  });

  test('new code, then a new configuration: the next call starts cold on what was deployed last', async () => {
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: NAME,
        ZipFile: await zipFiles({ 'src/app.js': handler('v2') }),
      }),
    );
    await waitUntilFunctionUpdatedV2(waiter(lambda), { FunctionName: NAME });
    expect((await invoke({})).result).toMatchObject({ version: 'v2', invocations: 1, greeting: 'hello' });
    expect((await invoke({})).result).toMatchObject({ version: 'v2', invocations: 2 });

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: NAME,
        Environment: { Variables: { GREETING: 'bonjour' } },
      }),
    );
    await waitUntilFunctionUpdatedV2(waiter(lambda), { FunctionName: NAME });
    expect((await invoke({})).result).toMatchObject({ version: 'v2', invocations: 1, greeting: 'bonjour' });
  });
});
