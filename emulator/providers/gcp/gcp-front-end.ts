import { dirname, posix } from 'node:path';
import { type GcpTrigger, gcpTriggers, topicName } from '../../../common/service/gcp-triggers';
import type { FunctionModel } from '../../../common/service/service-model';
import { environmentFor, settingFor } from '../../../common/service/service-model';
import type { HostedCode } from '../../code/hosted-code';
import { type GatewayResponse, jsonResponse } from '../../gateway/gateway-response';
import type { GatewayRouteDefinition, InvocationFacts } from '../../gateway/gateway-server';
import { firstHeader, type GatewayRequest } from '../../gateway/http-request';
import type { ReloadTarget } from '../../watch/hot-reload';
import { sourceLocation } from '../../watch/source-location';
import type {
  FrontEndApi,
  FrontEndContext,
  ListedFunction,
  ProviderFrontEnd,
  SampleOutcome,
} from '../front-end';
import { type BinaryCloudEvent, pubsubMessagePublished, storageObjectFinalized } from './cloud-events';
import { GcpFunction, type GcpFunctionConfig } from './gcp-function';

/** `faasport emulate invoke --event <kind>` for functions on gcp. */
export const GCP_SAMPLE_EVENTS = [
  { kind: 'pubsub', description: 'Pub/Sub messagePublished CloudEvent' },
  { kind: 'gcs', description: 'Cloud Storage object finalized CloudEvent' },
] as const;

/** What one event delivery did. */
export interface Delivery {
  function: string;
  status: number;
  /** The function's response body (an error message when it failed). */
  body: string;
}

/** A published message and where it went. */
export interface PublishOutcome {
  messageIds: string[];
  deliveries: Delivery[];
}

const DEFAULT_PROJECT = 'faasport-local';
const DEFAULT_REGION = 'us-central1';

/**
 * The Google Cloud side of the emulator: one GcpFunction per function that targets gcp, HTTP
 * functions at `/<name>` as on cloudfunctions.net, Pub/Sub publish and Storage object events
 * delivered as binary-mode CloudEvents to the functions subscribed to them.
 */
export class GcpFrontEnd implements ProviderFrontEnd {
  readonly cloud = 'gcp' as const;
  readonly sampleEvents = GCP_SAMPLE_EVENTS;
  readonly project: string;
  readonly region: string;
  private readonly functions = new Map<
    string,
    { model: FunctionModel; fn: GcpFunction; triggers: GcpTrigger[] }
  >();

  /** Adds the functions-framework to the code, as the Cloud Functions builder does. */
  private readonly hosted: HostedCode;

  constructor(private readonly options: FrontEndContext) {
    this.hosted = options.hostedCode(['@google-cloud/functions-framework']);
    const target = options.model.targets.gcp ?? {};
    this.project = typeof target.project === 'string' ? target.project : DEFAULT_PROJECT;
    this.region = typeof target.region === 'string' ? target.region : DEFAULT_REGION;
  }

  async load(): Promise<void> {
    const { model, logger } = this.options;
    for (const fnModel of model.functions) {
      if (!fnModel.targets.includes('gcp')) continue;
      const config = this.configOf(fnModel);
      if (typeof config === 'string') {
        logger.line('faasport', `${fnModel.name}: not emulated on gcp (${config})`, 'stderr');
        continue;
      }
      const codeDir = await this.hosted.prepare(await this.options.codeDirFor(fnModel));
      const fn = new GcpFunction({
        config,
        codeDir,
        engine: this.options.engine,
        logger,
        idleTimeoutMs: this.options.idleTimeoutMs,
      });
      this.functions.set(fnModel.name, { model: fnModel, fn, triggers: gcpTriggers(fnModel) });
    }
  }

  list(): ListedFunction[] {
    return this.entries().map(({ model, fn }) => ({ model, served: fn }));
  }

  apis(): FrontEndApi[] {
    return [];
  }

  /** Pub/Sub and Storage events arrive when published or uploaded: nothing runs on a clock. */
  startTriggers(): void {}

  /** `faasport emulate invoke --event pubsub|gcs`: one binary-mode CloudEvent to one function. */
  async invokeSample(fnModel: FunctionModel, kind: string, data: Buffer): Promise<SampleOutcome> {
    const fn = this.find(fnModel.name);
    if (!fn) throw new Error(`${fnModel.name} does not run on gcp here`);
    if (kind !== 'pubsub' && kind !== 'gcs') throw new Error(`not a GCP sample event: ${kind}`);
    const delivery = await this.deliver(fn, this.sampleEvent(fnModel.name, kind, data));
    return { output: JSON.stringify(delivery, null, 2), succeeded: delivery.status < 300 };
  }

  private entries(): { model: FunctionModel; fn: GcpFunction }[] {
    return [...this.functions.values()];
  }

  find(name: string): GcpFunction | undefined {
    const entry = this.functions.get(name) ?? [...this.functions.values()].find((e) => e.model.key === name);
    return entry?.fn;
  }

  /** Function URLs, the Pub/Sub publish API and the local Storage upload hook. */
  routes(): GatewayRouteDefinition[] {
    const routes: GatewayRouteDefinition[] = [];
    for (const { fn, triggers } of this.functions.values()) {
      const kind = triggers.length ? 'CloudEvent function' : 'HTTP function';
      for (const path of [`/${fn.name}`, `/${fn.name}/{path+}`]) {
        routes.push({
          method: 'ANY',
          path,
          description: `${fn.name} (GCP ${kind})`,
          functionName: fn.name,
          provider: 'gcp',
          handle: (request) => this.handleHttp(fn, request),
        });
      }
    }
    const publish = (request: GatewayRequest, topicSegment: string) =>
      this.handlePublish(request, topicSegment);
    routes.push(
      {
        method: 'POST',
        path: '/v1/projects/{project}/topics/{topic}',
        description: 'Pub/Sub publish (REST v1): POST …/topics/<topic>:publish',
        handle: async (request, params) => publish(request, params.topic ?? ''),
      },
      {
        method: 'POST',
        path: '/__faasport/gcp/topics/{topic}',
        description: 'Pub/Sub publish: POST /__faasport/gcp/topics/<topic>:publish',
        handle: async (request, params) => publish(request, params.topic ?? ''),
      },
      {
        method: 'POST',
        path: '/__faasport/gcp/buckets/{bucket}/objects/{object+}',
        description: 'Storage: an object upload (body = content) fires finalized',
        handle: async (request, params) => {
          const deliveries = await this.finalize({
            bucket: params.bucket ?? '',
            name: params.object ?? '',
            content: request.body,
            contentType: firstHeader(request, 'content-type') ?? 'application/octet-stream',
          });
          return { response: jsonResponse(200, { bucket: params.bucket, name: params.object, deliveries }) };
        },
      },
    );
    return routes;
  }

  /** Publishes to a topic: every function subscribed to it gets a messagePublished CloudEvent. */
  async publish(
    topic: string,
    messages: { data: Buffer; attributes?: Record<string, string> }[],
  ): Promise<PublishOutcome> {
    return (await this.publishWithFacts(topic, messages)).outcome;
  }

  /** publish, and the cold/warm facts of each delivery (for the publish endpoint's headers). */
  private async publishWithFacts(
    topic: string,
    messages: { data: Buffer; attributes?: Record<string, string> }[],
  ): Promise<{ outcome: PublishOutcome; facts: (InvocationFacts | undefined)[] }> {
    const name = topicName(topic);
    const outcome: PublishOutcome = { messageIds: [], deliveries: [] };
    const facts: (InvocationFacts | undefined)[] = [];
    const subscribers = this.subscribers((t) => t.kind === 'pubsub' && t.topic === name);
    for (const message of messages) {
      let messageId: string | undefined;
      const deliveries = await Promise.all(
        subscribers.map(({ model, fn }) => {
          const event = pubsubMessagePublished({
            project: this.project,
            topic: name,
            subscription: `eventarc-${this.region}-${model.key}-sub`.toLowerCase(),
            data: message.data,
            ...(message.attributes ? { attributes: message.attributes } : {}),
            ...(messageId ? { messageId } : {}),
          });
          messageId ??= event.id;
          return this.deliverWithFacts(fn, event);
        }),
      );
      outcome.messageIds.push(
        messageId ??
          pubsubMessagePublished({
            project: this.project,
            topic: name,
            subscription: '-',
            data: message.data,
          }).id,
      );
      outcome.deliveries.push(...deliveries.map((d) => d.delivery));
      facts.push(...deliveries.map((d) => d.facts));
    }
    return { outcome, facts };
  }

  /** A new object in a bucket: every function with a storage trigger on it gets `finalized`. */
  async finalize(object: {
    bucket: string;
    name: string;
    content: Buffer;
    contentType?: string;
  }): Promise<Delivery[]> {
    const subscribers = this.subscribers(
      (t) => t.kind === 'storage' && t.bucket === object.bucket && t.event === 'finalized',
    );
    return Promise.all(subscribers.map(({ fn }) => this.deliver(fn, storageObjectFinalized(object))));
  }

  /** The event `faasport emulate invoke --event pubsub|gcs` sends to one function. */
  sampleEvent(name: string, kind: 'pubsub' | 'gcs', data: Buffer): BinaryCloudEvent {
    const entry = this.entry(name);
    const triggers = entry?.triggers ?? [];
    if (kind === 'pubsub') {
      const trigger = triggers.find((t) => t.kind === 'pubsub');
      return pubsubMessagePublished({
        project: this.project,
        topic: trigger?.kind === 'pubsub' ? trigger.topic : 'faasport-sample-topic',
        subscription: `eventarc-${this.region}-${entry?.model.key ?? 'fn'}-sub`.toLowerCase(),
        data,
      });
    }
    const trigger = triggers.find((t) => t.kind === 'storage');
    return storageObjectFinalized({
      bucket: trigger?.kind === 'storage' ? trigger.bucket : `${this.project}-sample-bucket`,
      name: 'samples/hello.txt',
      content: data,
      contentType: 'text/plain',
    });
  }

  async deliver(fn: GcpFunction, event: BinaryCloudEvent): Promise<Delivery> {
    return (await this.deliverWithFacts(fn, event)).delivery;
  }

  private async deliverWithFacts(
    fn: GcpFunction,
    event: BinaryCloudEvent,
  ): Promise<{ delivery: Delivery; facts: InvocationFacts | undefined }> {
    const { response, facts } = await fn.deliver(event);
    return {
      delivery: { function: fn.name, status: response.status, body: response.body.toString('utf8') },
      facts,
    };
  }

  reloadTargets(): ReloadTarget[] {
    return this.entries().map(({ model, fn }) => ({
      provider: 'gcp' as const,
      name: fn.name,
      model,
      tryCode: async (codeDir) => {
        const hosted = await this.hosted.prepare(codeDir);
        const error = await fn.tryCode(hosted);
        if (!error) return undefined;
        const location = sourceLocation(error.output, [
          hosted,
          this.options.engine.paths({ codeDir: hosted }).taskRoot,
        ]);
        return {
          errorType: 'StartupFailure',
          message: [error.message, ...error.output].join('\n'),
          ...(location ? { location } : {}),
        };
      },
      updateCode: async (codeDir) => fn.updateCode(await this.hosted.prepare(codeDir)),
    }));
  }

  async prewarm(eager: boolean): Promise<void> {
    if (eager) await Promise.all(this.entries().map(({ fn }) => fn.prewarm(1)));
  }

  async close(): Promise<void> {
    await Promise.all(this.entries().map(({ fn }) => fn.close()));
  }

  private entry(name: string) {
    return this.functions.get(name) ?? [...this.functions.values()].find((e) => e.model.key === name);
  }

  private subscribers(match: (trigger: GcpTrigger) => boolean) {
    return [...this.functions.values()].filter((entry) => entry.triggers.some(match));
  }

  private async handleHttp(fn: GcpFunction, request: GatewayRequest) {
    const rest = request.path.slice(fn.name.length + 1) || '/';
    const path = `${rest.startsWith('/') ? rest : `/${rest}`}${request.rawQuery ? `?${request.rawQuery}` : ''}`;
    return fn.handle(
      {
        method: request.method,
        path,
        headers: request.headers,
        body: request.body,
        sourceIp: request.sourceIp,
      },
      request.path,
    );
  }

  private async handlePublish(
    request: GatewayRequest,
    topicSegment: string,
  ): Promise<{ response: GatewayResponse; facts?: InvocationFacts }> {
    if (!topicSegment.endsWith(':publish'))
      return {
        response: jsonResponse(404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } }),
      };
    const topic = topicSegment.slice(0, -':publish'.length);
    let messages: { data: Buffer; attributes?: Record<string, string> }[];
    try {
      messages = parsePublishBody(request.body);
    } catch (error) {
      return {
        response: jsonResponse(400, {
          error: { code: 400, message: (error as Error).message, status: 'INVALID_ARGUMENT' },
        }),
      };
    }
    const { outcome, facts } = await this.publishWithFacts(topic, messages);
    // One delivery: its cold/warm facts become the x-faasport-* headers, as for an HTTP call.
    const only = facts.length === 1 ? facts[0] : undefined;
    return { response: jsonResponse(200, outcome), ...(only ? { facts: only } : {}) };
  }

  private configOf(fn: FunctionModel): GcpFunctionConfig | string {
    const { model, defaultConcurrency } = {
      model: this.options.model,
      defaultConcurrency: this.options.defaultConcurrency,
    };
    const custom = (model.custom.gcp ?? {}) as Record<string, unknown>;
    const runtime = String(settingFor(model, fn, 'gcp', 'runtime', fn.runtime));
    const node = /^nodejs(\d+)(?:\.x)?$/.exec(runtime);
    if (!node) return `runtime ${runtime}: the emulator runs Node.js functions on GCP`;
    const handler = fn.handler ?? '';
    const handlerFile = handler.includes('.') ? handler.slice(0, handler.lastIndexOf('.')) : '';
    const entryPoint =
      settingFor<string | undefined>(model, fn, 'gcp', 'entryPoint', undefined) ??
      (handler.includes('.') ? handler.slice(handler.lastIndexOf('.') + 1) : undefined);
    if (!entryPoint) return 'no gcp.entryPoint and no handler to take it from';
    const source =
      settingFor<string | undefined>(model, fn, 'gcp', 'source', undefined) ??
      (handlerFile.includes('/') ? dirname(handlerFile) : '');
    if (posix.normalize(source).startsWith('..')) return `source folder "${source}" is outside the code`;
    const number = (key: string, fallback: number) => {
      const value = settingFor<unknown>(model, fn, 'gcp', key, custom[key] ?? fallback);
      return typeof value === 'number' && value > 0 ? value : fallback;
    };
    return {
      name: fn.name,
      entryPoint,
      signatureType: gcpTriggers(fn).length > 0 ? 'cloudevent' : 'http',
      source,
      runtime: `nodejs${node[1]}.x`,
      memoryMb: number('memorySize', 256),
      timeoutSeconds: number('timeout', 60),
      concurrency: number('concurrency', 1),
      maxInstances: number('maxInstances', defaultConcurrency),
      queueTimeoutSeconds: number('queueTimeoutSeconds', 60),
      environment: environmentFor(model, fn, 'gcp'),
    };
  }
}

/** `{"messages":[{"data":"<base64>","attributes":{…}}]}`, the Pub/Sub REST publish body. */
function parsePublishBody(body: Buffer): { data: Buffer; attributes?: Record<string, string> }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('Invalid JSON payload: expected {"messages":[{"data":"<base64>"}]}');
  }
  const messages = (parsed as { messages?: unknown }).messages;
  if (!Array.isArray(messages) || messages.length === 0)
    throw new Error('At least one message is required: {"messages":[{"data":"<base64>"}]}');
  return messages.map((message: { data?: unknown; attributes?: unknown }) => {
    const attributes =
      typeof message.attributes === 'object' && message.attributes !== null
        ? Object.fromEntries(Object.entries(message.attributes).map(([k, v]) => [k, String(v)]))
        : undefined;
    if (typeof message.data !== 'string' && !attributes)
      throw new Error('A message needs data (base64) or attributes');
    return {
      data: Buffer.from(typeof message.data === 'string' ? message.data : '', 'base64'),
      ...(attributes ? { attributes } : {}),
    };
  });
}
