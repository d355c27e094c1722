import { tmpdir } from 'node:os';
import type { DeployedLambdaFunction } from '../../../local-cloud/aws/deployed-function';
import { CloudError } from '../../../local-cloud/cloud-error';
import type { LambdaInvoker } from '../../../local-cloud/invokers';
import type { DeployedCode } from '../../code/deployed-code';
import type { Engine } from '../../engines/engine';
import type { EmulatorLogger } from '../../logger';
import { ThrottledError } from '../../pool/instance-pool';
import { LambdaFunction } from './lambda-function';

export interface DeployedLambdasOptions {
  /** The emulator's engine: deployed functions run where the service's functions run. */
  engine: Engine;
  code: DeployedCode;
  logger: EmulatorLogger;
  idleTimeoutMs: number;
  /** Concurrency limit for functions without reserved concurrency. */
  defaultConcurrency: number;
}

type Running = { key: string; lambda: Promise<LambdaFunction> };

/**
 * Runs what was deployed to the local Lambda control plane: each function on its deployed zip and
 * configuration (handler, runtime, environment, memory, timeout, reserved concurrency), with the
 * emulator's Lambda lifecycle — cold start, warm reuse, throttling. A new code digest or
 * configuration retires the instances of the old one; the next invoke starts cold on the new.
 */
export class DeployedLambdas {
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: DeployedLambdasOptions) {}

  /** The local Lambda plane's invoker (`LocalCloudInvokers.aws`). */
  readonly invoker: LambdaInvoker = async (deployed, code, payload) => {
    const lambda = await this.lambdaFor(deployed, code);
    try {
      const result = await lambda.invoke(payload);
      return { payload: result.payload, ...(result.functionError ? { functionError: 'Unhandled' } : {}) };
    } catch (error) {
      if (error instanceof ThrottledError) {
        throw new CloudError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
          'x-amzn-errortype': 'TooManyRequestsException',
        });
      }
      throw error;
    }
  };

  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map(async ({ lambda }) => (await lambda.catch(() => undefined))?.close()));
  }

  private lambdaFor(deployed: DeployedLambdaFunction, code: Buffer | undefined): Promise<LambdaFunction> {
    const { configuration } = deployed;
    // Everything that shapes an instance: a change to any of it means new instances.
    const key = JSON.stringify([
      configuration.CodeSha256,
      configuration.ImageUri,
      configuration.Handler,
      configuration.Runtime,
      configuration.MemorySize,
      configuration.Timeout,
      configuration.Environment?.Variables ?? {},
      deployed.reservedConcurrency,
    ]);
    const current = this.running.get(configuration.FunctionName);
    if (current?.key === key) return current.lambda;
    if (current) void current.lambda.then((old) => old.close()).catch(() => undefined);
    const lambda = this.create(deployed, code);
    this.running.set(configuration.FunctionName, { key, lambda });
    lambda.catch(() => {
      if (this.running.get(configuration.FunctionName)?.lambda === lambda)
        this.running.delete(configuration.FunctionName);
    });
    return lambda;
  }

  private async create(deployed: DeployedLambdaFunction, code: Buffer | undefined): Promise<LambdaFunction> {
    const { configuration: c } = deployed;
    const image = c.PackageType === 'Image' ? c.ImageUri : undefined;
    if (!image && !code) {
      throw new CloudError(500, 'ServiceException', `${c.FunctionName} has no deployed code to run`);
    }
    // arn:aws:lambda:<region>:<account>:function:<name>
    const [, , , region = 'us-east-1', accountId = '000000000000'] = c.FunctionArn.split(':');
    // An image runs its own code: the folder is never mounted (the engines ignore it for images).
    const codeDir = code && !image ? await this.options.code.prepare(code) : tmpdir();
    return new LambdaFunction({
      config: {
        name: c.FunctionName,
        handler: c.Handler ?? '',
        ...(image ? { image } : {}),
        runtime: c.Runtime ?? 'provided.al2023',
        memorySizeMb: c.MemorySize,
        timeoutSeconds: c.Timeout,
        environment: c.Environment?.Variables ?? {},
        region,
        accountId,
      },
      codeDir,
      engine: this.options.engine,
      logger: this.options.logger,
      maxConcurrency: deployed.reservedConcurrency ?? this.options.defaultConcurrency,
      idleTimeoutMs: this.options.idleTimeoutMs,
    });
  }
}
