import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Cloud } from '../../common/clouds';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import type { HostedCode } from '../code/hosted-code';
import type { Engine } from '../engines/engine';
import type { GatewayRouteDefinition } from '../gateway/gateway-server';
import type { EmulatorLogger } from '../logger';
import type { ReloadTarget } from '../watch/hot-reload';
import type { ImageReloadTarget } from '../watch/image-rebuild';

/** What the emulator gives every provider's front-end. */
export interface FrontEndContext {
  model: ServiceModel;
  engine: Engine;
  logger: EmulatorLogger;
  /** Host folder with a function's unpacked code. */
  codeDirFor(fn: FunctionModel): Promise<string>;
  /** Hosted code (the provider's own libraries beside the function's) for these packages. */
  hostedCode(libraries: string[]): HostedCode;
  idleTimeoutMs: number;
  /** Concurrency (instances) for functions that do not say. */
  defaultConcurrency: number;
}

/** Instances of one function, as `GET /__faasport/functions` shows them. */
export interface PoolStats {
  instances: number;
  busy: number;
  starting: number;
}

/** One function as a provider serves it: what the emulator's controls need. */
export interface ServedFunction {
  readonly name: string;
  /** Next request starts cold; in-flight invocations finish on their instance. */
  recycle(): void;
  stats(): PoolStats;
}

export interface ListedFunction {
  model: FunctionModel;
  served: ServedFunction;
}

/** A sample event kind this provider can deliver (`faasport emulate invoke --event <kind>`). */
export interface SampleEventKind {
  kind: string;
  /** For --help: what the event is. */
  description: string;
}

/** What one sample delivery did, ready to print. */
export interface SampleOutcome {
  /** The function's answer (pretty JSON when it is JSON), for stdout. */
  output: string;
  /** What the cloud would do with the outcome (e.g. an SQS batch's retries), for stderr. */
  note?: string;
  succeeded: boolean;
}

/** An extra API a front-end serves on a port of its own (the Lambda Invoke API, websockets, ALB). */
export interface FrontEndApi {
  port: 'lambda' | 'websocket' | 'alb';
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** HTTP upgrades (websockets), when the API takes them. */
  upgrade?(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Its row in the start-up table; `scheme` when the URL is not http (`ws`). */
  endpoint: { name: string; path: string; description: string; scheme?: 'ws' };
}

/**
 * A provider's side of the emulator: an adapter between the wire (its routes on its own port)
 * and the instance pools of the functions that target it. The emulator holds one per cloud and
 * loops over them; provider-specific operations (Pub/Sub publish, queue messages) stay on the
 * concrete classes.
 */
export interface ProviderFrontEnd {
  readonly cloud: Cloud;
  /** Creates the functions that target this cloud; no instance starts yet. */
  load(): Promise<void>;
  /** Its HTTP routes, served on its gateway port. */
  routes(): GatewayRouteDefinition[];
  /** APIs on ports of their own (none for most providers). */
  apis(): FrontEndApi[];
  /** What hot reload moves to new code. */
  reloadTargets(): ReloadTarget[];
  /** Container-image functions that say how they are rebuilt (only where the cloud runs images). */
  imageReloadTargets?(): ImageReloadTarget[];
  /** Starts instances ahead of requests (provisioned concurrency, or one each when eager). */
  prewarm(eager: boolean): Promise<void>;
  /** Arms schedules and timers, once everything listens. */
  startTriggers(): void;
  find(name: string): ServedFunction | undefined;
  list(): ListedFunction[];
  /** The sample events it delivers, in the order --help lists them. */
  readonly sampleEvents: readonly SampleEventKind[];
  /** One sample event of `kind` (one of `sampleEvents`) to one function, with `data` where it carries any. */
  invokeSample(fn: FunctionModel, kind: string, data: Buffer): Promise<SampleOutcome>;
  close(): Promise<void>;
}
