import { loadService } from '../common/service/load-service';
import { Emulator } from './emulator';
import type { EngineName } from './engines/choose-engine';
import type { EmulatorEvent } from './events/emulator-event';
import { consoleLogger, MemoryLogger } from './logger';
import type { TriggerDelivery } from './providers/azure/azure-front-end';
import type { PublishOutcome } from './providers/gcp/gcp-front-end';

/**
 * `import { startEmulator } from 'serverless-faasport/testing'`: an emulator for a test suite,
 * on ephemeral ports, with its logs kept in memory.
 *
 * ```ts
 * const emulator = await startEmulator({ config: 'serverless.yml' });
 * const res = await fetch(`${emulator.url}/dev/items/1`);
 * const out = await emulator.invoke('hello', { name: 'x' });
 * await emulator.stop();
 * ```
 */
export interface StartEmulatorOptions {
  /** Path of the serverless.yml. */
  config: string;
  stage?: string;
  engine?: EngineName;
  /** Start one instance per function before returning. */
  warm?: boolean;
  /** Also print function output (default: keep it in memory only). */
  echoLogs?: boolean;
}

export interface InvokeOutcome<T = unknown> {
  /** The function's result parsed as JSON (or its error document). */
  result: T;
  /** `Unhandled` error type when the function failed. */
  error: string | undefined;
  cold: boolean;
  durationMs: number;
  logs: string[];
}

export interface TestEmulator {
  /** API Gateway base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Lambda Invoke API base URL, for `new LambdaClient({ endpoint })`. */
  lambdaUrl: string;
  /**
   * Every provider's base URL: `gateway` (API Gateway), `lambda`, `gcp` (functions at
   * `/<name>`), `azure` (HTTP triggers at `/api/<route>`).
   */
  urls: { gateway: string; lambda: string; gcp: string; azure: string };
  /** Publishes to a Pub/Sub topic: every GCP function subscribed to it gets the CloudEvent. */
  publish(topic: string, data: unknown, attributes?: Record<string, string>): Promise<PublishOutcome>;
  /** Adds a message to an Azure storage queue: the functions it triggers run. */
  enqueue(queue: string, message: unknown): Promise<TriggerDelivery[]>;
  functions: string[];
  invoke<T = unknown>(fn: string, event?: unknown): Promise<InvokeOutcome<T>>;
  recycle(fn: string): void;
  /** Every line the functions and the platform logged, optionally for one function. */
  logs(fn?: string): string[];
  /**
   * The emulator's events (invocations, reloads, instances, log lines; schema in the README's
   * "Event stream") as they happen, until the loop breaks or `signal` aborts; with `replay`,
   * the recent ones first.
   *
   * ```ts
   * for await (const event of emulator.events({ replay: true }))
   *   if (event.type === 'invocation' && event.function === 'svc-dev-hello') break;
   * ```
   */
  events(options?: { signal?: AbortSignal; replay?: boolean }): AsyncIterable<EmulatorEvent>;
  stop(): Promise<void>;
}

export type {
  EmulatorEvent,
  InstanceEvent,
  InvocationEvent,
  LogEvent,
  ReloadEvent,
} from './events/emulator-event';

export async function startEmulator(options: StartEmulatorOptions): Promise<TestEmulator> {
  const model = await loadService(options.config, options.stage ? { stage: options.stage } : {});
  const logger = new MemoryLogger(options.echoLogs ? consoleLogger : undefined);
  const emulator = new Emulator({
    model,
    ...(options.engine ? { engine: options.engine } : {}),
    port: 0,
    lambdaPort: 0,
    gcpPort: 0,
    azurePort: 0,
    warm: options.warm ? 'eager' : 'lazy',
    logger,
  });
  await emulator.start();
  const nameOf = (fn: string) => model.functions.find((f) => f.key === fn || f.name === fn)?.name ?? fn;
  return {
    url: emulator.urls.gateway,
    lambdaUrl: emulator.urls.lambda,
    urls: emulator.urls,
    async publish(topic, data, attributes) {
      if (!emulator.gcp) throw new Error('no function targets gcp in this service');
      const bytes = Buffer.isBuffer(data)
        ? data
        : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
      return emulator.gcp.publish(topic, [{ data: bytes, ...(attributes ? { attributes } : {}) }]);
    },
    async enqueue(queue, message) {
      if (!emulator.azure) throw new Error('no function targets azure in this service');
      return emulator.azure.enqueue(queue, typeof message === 'string' ? message : JSON.stringify(message));
    },
    functions: emulator.functionNames(),
    async invoke<T>(fn: string, event?: unknown): Promise<InvokeOutcome<T>> {
      const outcome = await emulator.invoke(nameOf(fn), event ?? {});
      const text = outcome.payload.toString('utf8');
      let result: T;
      try {
        result = JSON.parse(text) as T;
      } catch {
        result = text as T;
      }
      return {
        result,
        error: outcome.functionError?.errorType,
        cold: outcome.cold,
        durationMs: outcome.durationMs,
        logs: outcome.logs,
      };
    },
    recycle: (fn) => emulator.recycle(nameOf(fn)),
    events: (eventOptions) => emulator.events.iterate(eventOptions),
    logs: (fn) => logger.lines.filter((line) => !fn || line.source === nameOf(fn)).map((line) => line.text),
    stop: () => emulator.stop(),
  };
}
