import { dirname, join, posix, relative } from 'node:path';
import { UserError } from '../../../common/errors';
import type { FunctionModel } from '../../../common/service/service-model';
import { environmentFor, settingFor } from '../../../common/service/service-model';
import type { HostedCode } from '../../code/hosted-code';
import type { GatewayRouteDefinition } from '../../gateway/gateway-server';
import { InstanceStartError } from '../../served/served-function';
import type { InitProblem, ReloadTarget } from '../../watch/hot-reload';
import { sourceLocation } from '../../watch/source-location';
import type {
  FrontEndApi,
  FrontEndContext,
  ListedFunction,
  ProviderFrontEnd,
  SampleOutcome,
} from '../front-end';
import { AzureFunctionApp, type Binding, type RegisteredFunction } from './azure-app';
import { AzureBlobs } from './azure-blobs';
import { AzureHttpRoutes } from './azure-http-routes';
import { AzureQueues } from './azure-queues';
import { AzureTimers } from './azure-timers';
import { customHandlerProtocol, readFunctionJsons } from './custom-handler-protocol';
import { readHostJson } from './host-json';
import { nodeWorkerProtocol } from './node-worker-protocol';
import { type AppTrigger, type TriggerDelivery, triggerOf } from './trigger-delivery';

export type { TriggerDelivery } from './trigger-delivery';

/** `faasport emulate invoke --event <kind>` for functions on azure: through the app's own trigger. */
export const AZURE_SAMPLE_EVENTS = [
  { kind: 'queue', description: 'Storage queue message' },
  { kind: 'blob', description: 'Storage blob upload' },
  { kind: 'timer', description: 'timer trigger firing now' },
] as const;
type AzureSampleKind = (typeof AZURE_SAMPLE_EVENTS)[number]['kind'];
const SAMPLE_TRIGGER: Record<AzureSampleKind, string> = {
  queue: 'queuetrigger',
  blob: 'blobtrigger',
  timer: 'timertrigger',
};

/** A custom handler runs its code as it is; the Node worker's code is hosted with @azure/functions. */
type AppEntry = { model: FunctionModel; app: AzureFunctionApp; customHandler: boolean };

/**
 * The Azure side of the emulator: one function app (host pool) per serverless function that
 * targets azure, and the functions each app registers (Node v4 model, or a custom handler's
 * function.json files), fed by trigger kind: HTTP under `/api/<route>` (azure-http-routes.ts),
 * timers (azure-timers.ts), storage queues (azure-queues.ts) and blobs (azure-blobs.ts).
 */
export class AzureFrontEnd implements ProviderFrontEnd {
  readonly cloud = 'azure' as const;
  readonly sampleEvents = AZURE_SAMPLE_EVENTS;
  private readonly apps = new Map<string, AppEntry>();
  private readonly hosted: HostedCode;
  private readonly http: AzureHttpRoutes;
  private readonly timers: AzureTimers;
  private readonly queues: AzureQueues;
  private readonly blobs: AzureBlobs;

  constructor(private readonly options: FrontEndContext) {
    this.hosted = options.hostedCode(['@azure/functions']);
    const triggered = (type: string, match: (binding: Binding) => boolean) => this.triggered(type, match);
    this.http = new AzureHttpRoutes(options.logger);
    this.timers = new AzureTimers(options.logger);
    this.queues = new AzureQueues(triggered, options.logger);
    this.blobs = new AzureBlobs(triggered);
  }

  async load(): Promise<void> {
    const { model, logger } = this.options;
    for (const fnModel of model.functions) {
      if (!fnModel.targets.includes('azure')) continue;
      const entryPoint =
        settingFor<string | undefined>(model, fnModel, 'azure', 'entryPoint', undefined) ??
        handlerScript(fnModel);
      if (!entryPoint) {
        logger.line('faasport', `${fnModel.name}: not emulated on azure (no azure.entryPoint)`, 'stderr');
        continue;
      }
      const runtime = String(settingFor(model, fnModel, 'azure', 'runtime', fnModel.runtime));
      const node = /^(?:nodejs|node)(\d+)?(?:\.x)?$/.exec(runtime);
      if (!node) {
        logger.line(
          'faasport',
          `${fnModel.name}: not emulated on azure (runtime ${runtime}: the emulator hosts Node.js apps)`,
          'stderr',
        );
        continue;
      }
      if (posix.normalize(entryPoint).startsWith('..')) {
        throw new UserError(
          `${model.configFile}: functions.${fnModel.key}.azure.entryPoint "${entryPoint}" is outside the service folder`,
        );
      }
      const codeDir = await this.options.codeDirFor(fnModel);
      const scriptRoot = dirname(entryPoint) === '.' ? '' : dirname(entryPoint);
      const host = await readHostJson(join(codeDir, scriptRoot));
      const timeoutSeconds = settingFor<unknown>(model, fnModel, 'azure', 'timeout', undefined);
      const app = new AzureFunctionApp(
        {
          name: fnModel.name,
          scriptRoot,
          protocol: host.customHandler
            ? customHandlerProtocol(host.customHandler, await readFunctionJsons(join(codeDir, scriptRoot)))
            : nodeWorkerProtocol(fnModel.name, relative(scriptRoot || '.', entryPoint) || entryPoint),
          runtime: `nodejs${node[1] ?? '22'}.x`,
          memoryMb: Number(settingFor(model, fnModel, 'azure', 'memorySize', 1536)),
          host: {
            ...host,
            // A timeout written in serverless.yml wins over host.json's.
            ...(typeof timeoutSeconds === 'number' ? { functionTimeoutMs: timeoutSeconds * 1000 } : {}),
          },
          maxHosts: 1,
          environment: {
            AzureWebJobsStorage: 'UseDevelopmentStorage=true',
            ...environmentFor(model, fnModel, 'azure'),
          },
        },
        {
          engine: this.options.engine,
          logger,
          // A custom handler brings its own runtime; the Node worker gets @azure/functions.
          codeDir: host.customHandler ? codeDir : await this.hosted.prepare(codeDir),
          idleTimeoutMs: this.options.idleTimeoutMs,
        },
      );
      await app.index();
      this.apps.set(fnModel.name, { model: fnModel, app, customHandler: host.customHandler !== undefined });
      this.collect(app);
    }
  }

  list(): ListedFunction[] {
    return [...this.apps.values()].map(({ model, app }) => ({ model, served: app }));
  }

  find(name: string): AzureFunctionApp | undefined {
    return this.entry(name)?.app;
  }

  routes(): GatewayRouteDefinition[] {
    return [...this.http.routes(), ...this.queues.routes(), ...this.blobs.routes()];
  }

  apis(): FrontEndApi[] {
    return [];
  }

  /**
   * Hot reload: the new code is indexed on a throw-away host (what it registers may change), then
   * swapped in with its routes, timers and triggers.
   */
  reloadTargets(): ReloadTarget[] {
    return [...this.apps.values()].map(({ model, app, customHandler }) => {
      const host = (codeDir: string) => (customHandler ? codeDir : this.hosted.prepare(codeDir));
      let tried: { codeDir: string; registered: RegisteredFunction[] } | undefined;
      return {
        provider: 'azure' as const,
        name: app.name,
        model,
        tryCode: async (codeDir) => {
          const hosted = await host(codeDir);
          try {
            tried = { codeDir: hosted, registered: await app.indexCode(hosted) };
            return undefined;
          } catch (error) {
            return this.loadProblem(error, hosted);
          }
        },
        updateCode: async (codeDir) => {
          const hosted = await host(codeDir);
          // Strict mode swaps untried code: what it registers is learnt now, else the old list stays.
          const registered =
            tried?.codeDir === hosted
              ? tried.registered
              : await app.indexCode(hosted).catch(() => app.functions);
          tried = undefined;
          app.updateCode(hosted, registered);
          this.recollect();
        },
      };
    });
  }

  /** Arms timers (and fires those with runOnStartup). */
  startTriggers(): void {
    this.timers.start();
  }

  /** A message on a queue: each function triggered by it runs, retried up to 5 times, then poison. */
  enqueue(queue: string, text: string): Promise<TriggerDelivery[]> {
    return this.queues.enqueue(queue, text);
  }

  uploadBlob(
    container: string,
    name: string,
    content: Buffer,
    contentType: string,
  ): Promise<TriggerDelivery[]> {
    return this.blobs.upload(container, name, content, contentType);
  }

  /** `faasport emulate invoke --event queue|blob|timer`: one sample delivery through the app's trigger. */
  async invokeSample(fn: FunctionModel, kind: string, data: Buffer): Promise<SampleOutcome> {
    const delivery = await this.deliverSample(fn.name, kind as AzureSampleKind, data);
    return { output: JSON.stringify(delivery, null, 2), succeeded: delivery.outcome === 'succeeded' };
  }

  async prewarm(eager: boolean): Promise<void> {
    if (eager) await Promise.all([...this.apps.values()].map(({ app }) => app.prewarm(1)));
  }

  async close(): Promise<void> {
    this.timers.stop();
    await Promise.all([...this.apps.values()].map(({ app }) => app.close()));
  }

  private entry(name: string): AppEntry | undefined {
    return this.apps.get(name) ?? [...this.apps.values()].find((e) => e.model.key === name);
  }

  private deliverSample(appName: string, kind: AzureSampleKind, data: Buffer): Promise<TriggerDelivery> {
    const entry = this.entry(appName);
    if (!entry) throw new UserError(`${appName} is not an Azure function app here`);
    const type = SAMPLE_TRIGGER[kind];
    if (!type) throw new Error(`not an Azure sample event: ${kind}`);
    const found = this.triggered(type, () => true).find((t) => t.app === entry.app);
    if (!found) {
      throw new UserError(`${appName} registers no ${kind} trigger`, {
        hint: `Its functions: ${entry.app.functions.map((f) => `${f.name} (${triggerOf(f)?.type})`).join(', ') || 'none'}.`,
      });
    }
    if (kind === 'queue') return this.queues.sample(found, data);
    if (kind === 'timer') return this.timers.sample(found);
    return this.blobs.sample(found, data);
  }

  /** Why a new version of an app does not start, with the place in its code when it says. */
  private loadProblem(error: unknown, hosted: string): InitProblem {
    if (!(error instanceof InstanceStartError) && !(error instanceof UserError)) throw error;
    const lines =
      error instanceof InstanceStartError
        ? error.output
        : String((error.cause as { stack?: unknown } | undefined)?.stack ?? '').split('\n');
    const location = sourceLocation(lines, [hosted, this.options.engine.paths({ codeDir: hosted }).taskRoot]);
    return {
      errorType: error instanceof InstanceStartError ? 'HostStartFailure' : 'WorkerLoadError',
      message: [error.message, ...lines].join('\n'),
      ...(location ? { location } : {}),
    };
  }

  /** Routes, timers and triggers again, after an app's registrations changed. */
  private recollect(): void {
    this.http.clear();
    this.timers.clear();
    for (const { app } of this.apps.values()) this.collect(app);
    this.timers.rearm();
  }

  /** Hands each registered function to the part that feeds its kind of trigger. */
  private collect(app: AzureFunctionApp): void {
    for (const fn of app.functions) {
      const trigger = triggerOf(fn);
      if (!trigger) continue;
      const type = trigger.type.toLowerCase();
      if (type === 'httptrigger') this.http.add({ app, fn, trigger });
      else if (type === 'timertrigger') this.timers.add({ app, fn, trigger });
      else if (type !== 'queuetrigger' && type !== 'blobtrigger') {
        this.options.logger.line(
          'faasport',
          `${app.name}: ${fn.name} has a ${trigger.type} trigger, which the emulator does not feed`,
          'stderr',
        );
      }
    }
  }

  private triggered(type: string, match: (binding: Binding) => boolean): AppTrigger[] {
    const found: AppTrigger[] = [];
    for (const { app } of this.apps.values()) {
      for (const fn of app.functions) {
        const trigger = triggerOf(fn);
        if (trigger && trigger.type.toLowerCase() === type && match(trigger))
          found.push({ app, fn, trigger });
      }
    }
    return found;
  }
}

/** `fixtures/app/azure.handler` → `fixtures/app/azure.js` when no azure.entryPoint is written. */
function handlerScript(fn: FunctionModel): string | undefined {
  const handler = fn.handler;
  if (!handler?.includes('.')) return undefined;
  return `${handler.slice(0, handler.lastIndexOf('.'))}.js`;
}
