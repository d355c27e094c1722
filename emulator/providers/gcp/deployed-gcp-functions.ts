import { createHash } from 'node:crypto';
import { CloudError } from '../../../local-cloud/cloud-error';
import { type GcpFunctionResource, memoryMib } from '../../../local-cloud/gcp/function-resource';
import type { GcpInvoker } from '../../../local-cloud/invokers';
import type { DeployedCode } from '../../code/deployed-code';
import type { HostedCode } from '../../code/hosted-code';
import type { Engine } from '../../engines/engine';
import { factsHeaders } from '../../gateway/gateway-server';
import type { EmulatorLogger } from '../../logger';
import { GcpFunction, type GcpFunctionConfig } from './gcp-function';

export interface DeployedGcpFunctionsOptions {
  /** The emulator's engine: deployed functions run where the service's functions run. */
  engine: Engine;
  code: DeployedCode;
  /** Adds the functions-framework, as Cloud Build does for a source without it. */
  hosted: HostedCode;
  logger: EmulatorLogger;
  idleTimeoutMs: number;
  /** Max instances for functions whose maxInstanceCount is unset. */
  defaultMaxInstances: number;
}

type Running = { key: string; fn: Promise<GcpFunction> };

/** Cloud Functions' defaults when the resource leaves a field unset. */
const DEFAULTS = { memoryMb: 256, timeoutSeconds: 60, concurrency: 1, queueTimeoutSeconds: 60 };
const CLOUDEVENT_JSON = 'application/cloudevents+json';

/**
 * Runs what was deployed to the local Cloud Functions plane: each function on its uploaded source
 * and service configuration (entry point, runtime, environment, memory, timeout, max instances,
 * per-instance concurrency), with the emulator's gen2 lifecycle — cold start, warm reuse, 429 at
 * the instance limit. A new source or configuration retires the old instances: the next call is
 * cold on what was deployed last.
 */
export class DeployedGcpFunctions {
  private readonly running = new Map<string, Running>();
  /** The plane hands over the same Buffer for a revision: hash each source once. */
  private readonly digests = new WeakMap<Buffer, string>();

  constructor(private readonly options: DeployedGcpFunctionsOptions) {}

  /** The local Cloud Functions plane's invoker (`LocalCloudInvokers.gcp`). */
  readonly invoker: GcpInvoker = async (resource, zip, request) => {
    const contentType = request.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    if (resource.eventTrigger && !contentType?.toLowerCase().startsWith(CLOUDEVENT_JSON)) {
      const trigger = resource.eventTrigger;
      const source = trigger.pubsubTopic ? ` on ${trigger.pubsubTopic}` : '';
      throw new CloudError(
        400,
        'FAILED_PRECONDITION',
        `${resource.name} is triggered by ${trigger.eventType ?? 'events'}${source}: publish an event there, or POST a structured CloudEvent (content-type ${CLOUDEVENT_JSON}) to this URL.`,
      );
    }
    const fn = await this.functionFor(resource, zip);
    const { response, facts } = await fn.handle(
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        sourceIp: '127.0.0.1',
      },
      `/${fn.name}`,
    );
    return {
      status: response.status,
      body: response.body,
      headers: [...response.headers, ...(facts ? factsHeaders(facts) : [])],
    };
  };

  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map(async ({ fn }) => (await fn.catch(() => undefined))?.close()));
  }

  private functionFor(resource: GcpFunctionResource, zip: Buffer | undefined): Promise<GcpFunction> {
    if (!zip) throw new CloudError(500, 'INTERNAL', `${resource.name} has no source to run.`);
    const config = this.configOf(resource);
    // Everything that shapes an instance: a change to any of it means new instances.
    const key = JSON.stringify([this.digestOf(zip), config]);
    const current = this.running.get(resource.name);
    if (current?.key === key) return current.fn;
    if (current) void current.fn.then((old) => old.close()).catch(() => undefined);
    const fn = this.create(config, zip);
    this.running.set(resource.name, { key, fn });
    fn.catch(() => {
      if (this.running.get(resource.name)?.fn === fn) this.running.delete(resource.name);
    });
    return fn;
  }

  private async create(config: GcpFunctionConfig, zip: Buffer): Promise<GcpFunction> {
    const codeDir = await this.options.hosted.prepare(await this.options.code.prepare(zip));
    return new GcpFunction({
      config,
      codeDir,
      engine: this.options.engine,
      logger: this.options.logger,
      idleTimeoutMs: this.options.idleTimeoutMs,
    });
  }

  private configOf(resource: GcpFunctionResource): GcpFunctionConfig {
    const build = resource.buildConfig ?? {};
    const service = resource.serviceConfig ?? {};
    const node = /^nodejs(\d+)$/.exec(build.runtime ?? '');
    if (!node) {
      throw new CloudError(
        501,
        'UNIMPLEMENTED',
        `${resource.name} runs ${build.runtime ?? 'no runtime'}: the local emulator runs Node.js functions only.`,
      );
    }
    const count = (value: unknown, fallback: number) =>
      typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
    return {
      name: resource.name.split('/').at(-1) ?? resource.name,
      entryPoint: build.entryPoint ?? '',
      signatureType: resource.eventTrigger ? 'cloudevent' : 'http',
      // The uploaded source is the function's folder: functions-framework runs from its root.
      source: '',
      runtime: `nodejs${node[1]}.x`,
      memoryMb: memoryMib(service.availableMemory ?? '') ?? DEFAULTS.memoryMb,
      timeoutSeconds: count(service.timeoutSeconds, DEFAULTS.timeoutSeconds),
      concurrency: count(service.maxInstanceRequestConcurrency, DEFAULTS.concurrency),
      maxInstances: count(service.maxInstanceCount, this.options.defaultMaxInstances),
      queueTimeoutSeconds: DEFAULTS.queueTimeoutSeconds,
      environment: { ...(service.environmentVariables ?? {}) },
    };
  }

  private digestOf(zip: Buffer): string {
    let digest = this.digests.get(zip);
    if (!digest) {
      digest = createHash('sha256').update(zip).digest('hex');
      this.digests.set(zip, digest);
    }
    return digest;
  }
}
