import { dirname, join, posix, relative } from 'node:path';
import { UserError } from '../../../common/errors';
import type { FunctionModel, ServiceModel } from '../../../common/service/service-model';
import { environmentFor, settingFor } from '../../../common/service/service-model';
import type { HostedCode } from '../../code/hosted-code';
import type { Engine } from '../../engines/engine';
import { type GatewayResponse, jsonResponse } from '../../gateway/gateway-response';
import type { GatewayRouteDefinition, InvocationFacts } from '../../gateway/gateway-server';
import { firstHeader, type GatewayRequest } from '../../gateway/http-request';
import type { EmulatorLogger } from '../../logger';
import { InstanceStartError } from '../../served/served-function';
import type { InitProblem, ReloadTarget } from '../../watch/hot-reload';
import { sourceLocation } from '../../watch/source-location';
import { AzureFunctionApp, type Binding, type RegisteredFunction, stamped } from './azure-app';
import { httpResponseOf, httpTriggerData } from './azure-http';
import { type AzureRoute, compileAzureRoute } from './azure-route';
import { customHandlerProtocol, readFunctionJsons } from './custom-handler-protocol';
import { readHostJson } from './host-json';
import { parseSchedule, type Schedule } from './ncrontab';
import { nodeWorkerProtocol } from './node-worker-protocol';
import {
  blobPayload,
  matchBlobPath,
  newQueueMessage,
  type QueueMessage,
  queuePayload,
  type TriggerPayload,
  timerPayload,
} from './trigger-payloads';

export interface AzureFrontEndOptions {
  model: ServiceModel;
  engine: Engine;
  logger: EmulatorLogger;
  codeDirFor(fn: FunctionModel): Promise<string>;
  /** Adds @azure/functions to the code. */
  hosted: HostedCode;
  idleTimeoutMs: number;
}

/** What one trigger delivery did. */
export interface TriggerDelivery {
  app: string;
  function: string;
  outcome: 'succeeded' | 'failed' | 'timeout' | 'throttled';
  /** Attempts made (queue messages are retried up to maxDequeueCount times). */
  attempts: number;
  message?: string;
}

type HttpEntry = {
  app: AzureFunctionApp;
  fn: RegisteredFunction;
  trigger: Binding;
  route: AzureRoute;
  methods: string[];
};
type TimerEntry = { app: AzureFunctionApp; fn: RegisteredFunction; trigger: Binding; schedule: Schedule };
/** A custom handler runs its code as it is; the Node worker's code is hosted with @azure/functions. */
type AppEntry = { model: FunctionModel; app: AzureFunctionApp; customHandler: boolean };

/** Storage queues move a message to `<queue>-poison` after this many failed attempts (maxDequeueCount). */
const MAX_DEQUEUE_COUNT = 5;
/** Azurite's well-known development account: what `UseDevelopmentStorage=true` points at. */
const DEV_ACCOUNT = 'devstoreaccount1';

/**
 * The Azure side of the emulator: one function app (host pool) per serverless function that
 * targets azure, the functions each app registers (Node v4 model) under `/api/<route>`, timers
 * on their NCRONTAB schedules, and storage queue and blob triggers fed by injection endpoints.
 * `authLevel` is not enforced locally, as with `func start`: keys are never asked for.
 */
export class AzureFrontEnd {
  private readonly apps = new Map<string, AppEntry>();
  private http: HttpEntry[] = [];
  private timers: TimerEntry[] = [];
  private readonly timerHandles = new Set<NodeJS.Timeout>();
  private stopped = false;
  private timersStarted = false;

  constructor(private readonly options: AzureFrontEndOptions) {}

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
          codeDir: host.customHandler ? codeDir : await this.options.hosted.prepare(codeDir),
          idleTimeoutMs: this.options.idleTimeoutMs,
        },
      );
      await app.index();
      this.apps.set(fnModel.name, { model: fnModel, app, customHandler: host.customHandler !== undefined });
      this.collect(app);
    }
  }

  list(): AppEntry[] {
    return [...this.apps.values()];
  }

  find(name: string): AzureFunctionApp | undefined {
    return (this.apps.get(name) ?? [...this.apps.values()].find((e) => e.model.key === name))?.app;
  }

  routes(): GatewayRouteDefinition[] {
    // Every HTTP request goes through Azure's own route matching (optional and catch-all
    // parameters, constraints); the per-function entries are there for the endpoint table.
    const dispatch: GatewayRouteDefinition['handle'] = (request) => this.handleHttp(request);
    return [
      ...this.http.map((entry) => ({
        method: entry.methods.length === 1 ? (entry.methods[0] ?? 'ANY') : 'ANY',
        path: `/${entry.route.template}`,
        description: `${entry.app.name} → ${entry.fn.name} (Azure HTTP ${entry.methods.join(',')})`,
        functionName: entry.app.name,
        provider: 'azure',
        handle: dispatch,
      })),
      ...(this.http.length
        ? [{ method: 'ANY', path: '/{path+}', description: 'Azure HTTP routes', handle: dispatch }]
        : []),
      {
        method: 'POST',
        path: '/__faasport/azure/queues/{queue}/messages',
        description: 'Storage queue: add a message (body = message text)',
        handle: async (request, params) => {
          const deliveries = await this.enqueue(params.queue ?? '', request.body.toString('utf8'));
          return {
            response: jsonResponse(deliveries.length ? 200 : 404, { queue: params.queue, deliveries }),
          };
        },
      },
      {
        method: 'POST',
        path: '/__faasport/azure/blobs/{container}/{name+}',
        description: 'Storage blob: upload (body = content) fires blob triggers',
        handle: async (request, params) => {
          const deliveries = await this.uploadBlob(
            params.container ?? '',
            params.name ?? '',
            request.body,
            firstHeader(request, 'content-type') ?? 'application/octet-stream',
          );
          return {
            response: jsonResponse(deliveries.length ? 200 : 404, {
              container: params.container,
              name: params.name,
              deliveries,
            }),
          };
        },
      },
    ];
  }

  /**
   * Hot reload: the new code is indexed on a throw-away host (what it registers may change), then
   * swapped in with its routes, timers and triggers.
   */
  reloadTargets(): ReloadTarget[] {
    return this.list().map(({ model, app, customHandler }) => {
      const host = (codeDir: string) => (customHandler ? codeDir : this.options.hosted.prepare(codeDir));
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
  startTimers(): void {
    this.timersStarted = true;
    for (const timer of this.timers) {
      if (timer.trigger.runOnStartup === true) void this.fireTimer(timer, new Date(), true);
      this.arm(timer, new Date());
    }
  }

  /** A message on a queue: each function triggered by it runs, retried up to 5 times, then poison. */
  async enqueue(queue: string, text: string): Promise<TriggerDelivery[]> {
    const targets = this.triggered(
      'queuetrigger',
      (b) => String(b.queueName ?? '').toLowerCase() === queue.toLowerCase(),
    );
    return Promise.all(
      targets.map(({ app, fn, trigger }) =>
        this.deliverQueue(app, fn, trigger, queue, newQueueMessage(text)),
      ),
    );
  }

  async uploadBlob(
    container: string,
    name: string,
    content: Buffer,
    contentType: string,
  ): Promise<TriggerDelivery[]> {
    const deliveries: Promise<TriggerDelivery>[] = [];
    for (const { app, fn, trigger } of this.triggered('blobtrigger', () => true)) {
      const params = matchBlobPath(String(trigger.path ?? ''), container, name);
      if (!params) continue;
      const payload = blobPayload({
        account: DEV_ACCOUNT,
        container,
        name,
        content,
        contentType,
        pathParams: params,
      });
      deliveries.push(
        this.deliver(
          app,
          fn,
          trigger,
          payload,
          `New blob detected(LogsAndContainerScan): ${container}/${name}`,
        ),
      );
    }
    return Promise.all(deliveries);
  }

  /** `faasport emulate invoke --event queue|blob|timer`: one sample delivery to an app's function. */
  async invokeSample(
    appName: string,
    kind: 'queue' | 'blob' | 'timer',
    data: Buffer,
  ): Promise<TriggerDelivery> {
    const entry = this.apps.get(appName) ?? [...this.apps.values()].find((e) => e.model.key === appName);
    if (!entry) throw new UserError(`${appName} is not an Azure function app here`);
    const type = { queue: 'queuetrigger', blob: 'blobtrigger', timer: 'timertrigger' }[kind];
    const found = this.triggered(type, () => true).find((t) => t.app === entry.app);
    if (!found) {
      throw new UserError(`${appName} registers no ${kind} trigger`, {
        hint: `Its functions: ${entry.app.functions.map((f) => `${f.name} (${triggerOf(f)?.type})`).join(', ') || 'none'}.`,
      });
    }
    if (kind === 'queue') {
      return this.deliverQueue(
        found.app,
        found.fn,
        found.trigger,
        String(found.trigger.queueName),
        newQueueMessage(data.toString('utf8')),
      );
    }
    if (kind === 'timer') {
      return this.deliver(
        found.app,
        found.fn,
        found.trigger,
        timerPayload({ next: new Date() }),
        `Timer fired at ${new Date().toISOString()}`,
      );
    }
    const [container = 'samples', ...rest] = String(found.trigger.path ?? 'samples/{name}').split('/');
    const name = rest.join('/').replace(/\{[^}]+\}/g, 'sample') || 'sample.txt';
    const params = matchBlobPath(String(found.trigger.path ?? ''), container, name) ?? {};
    return this.deliver(
      found.app,
      found.fn,
      found.trigger,
      blobPayload({
        account: DEV_ACCOUNT,
        container,
        name,
        content: data,
        contentType: 'text/plain',
        pathParams: params,
      }),
      `New blob detected(LogsAndContainerScan): ${container}/${name}`,
    );
  }

  async prewarm(eager: boolean): Promise<void> {
    if (eager) await Promise.all(this.list().map(({ app }) => app.prewarm(1)));
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timerHandles) clearTimeout(handle);
    await Promise.all(this.list().map(({ app }) => app.close()));
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
    for (const handle of this.timerHandles) clearTimeout(handle);
    this.timerHandles.clear();
    this.http = [];
    this.timers = [];
    for (const { app } of this.apps.values()) this.collect(app);
    if (this.timersStarted) for (const timer of this.timers) this.arm(timer, new Date());
  }

  private collect(app: AzureFunctionApp): void {
    for (const fn of app.functions) {
      const trigger = triggerOf(fn);
      if (!trigger) continue;
      const type = trigger.type.toLowerCase();
      if (type === 'httptrigger') {
        const route = `${app.host.routePrefix ? `${app.host.routePrefix}/` : ''}${trigger.route ?? fn.name}`;
        const entry: HttpEntry = {
          app,
          fn,
          trigger,
          route: compileAzureRoute(route),
          methods: (trigger.methods?.length ? trigger.methods : ['GET', 'POST']).map((m) => m.toUpperCase()),
        };
        const clash = this.http.find(
          (e) =>
            e.route.template.toLowerCase() === entry.route.template.toLowerCase() &&
            e.methods.some((m) => entry.methods.includes(m)),
        );
        if (clash) {
          this.options.logger.line(
            'faasport',
            `${app.name}: route /${entry.route.template} is already served by ${clash.app.name}/${clash.fn.name}; ${fn.name} is not routed`,
            'stderr',
          );
          continue;
        }
        this.http.push(entry);
      } else if (type === 'timertrigger') {
        let schedule: Schedule;
        try {
          schedule = parseSchedule(String(trigger.schedule ?? ''));
        } catch (error) {
          throw new UserError(`${app.name}: timer ${fn.name}: ${(error as Error).message}`, {
            hint: 'Azure timers use six-field NCRONTAB in UTC, e.g. "0 */5 * * * *" (every five minutes).',
          });
        }
        this.timers.push({ app, fn, trigger, schedule });
      } else if (type !== 'queuetrigger' && type !== 'blobtrigger') {
        this.options.logger.line(
          'faasport',
          `${app.name}: ${fn.name} has a ${trigger.type} trigger, which the emulator does not feed`,
          'stderr',
        );
      }
    }
    this.http.sort((a, b) => b.route.specificity - a.route.specificity);
  }

  private triggered(type: string, match: (binding: Binding) => boolean) {
    const found: { app: AzureFunctionApp; fn: RegisteredFunction; trigger: Binding }[] = [];
    for (const { app } of this.apps.values()) {
      for (const fn of app.functions) {
        const trigger = triggerOf(fn);
        if (trigger && trigger.type.toLowerCase() === type && match(trigger))
          found.push({ app, fn, trigger });
      }
    }
    return found;
  }

  private async handleHttp(
    request: GatewayRequest,
  ): Promise<{ response: GatewayResponse; facts?: InvocationFacts }> {
    for (const entry of this.http) {
      const params = entry.route.match(request.path);
      if (!params || !entry.methods.includes(request.method)) continue;
      const result = await entry.app.invoke({
        functionName: entry.fn.name,
        inputData: [{ name: entry.trigger.name ?? 'request', data: httpTriggerData(request, params) }],
        triggerMetadata: {},
        reason: 'This function was programmatically called via the host APIs.',
        httpRequest: request,
      });
      if (result.kind === 'throttled')
        return { response: { status: 429, headers: [], body: Buffer.alloc(0) } };
      if (result.kind !== 'succeeded') {
        return {
          response: { status: 500, headers: [], body: Buffer.alloc(0) },
          ...(result.facts ? { facts: result.facts } : {}),
        };
      }
      if (result.response) return { response: result.response, facts: result.facts };
      const outName = Object.entries(entry.fn.bindings).find(
        ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
      )?.[0];
      const data =
        outName === '$return' ? result.returnValue : result.outputData.find((o) => o.name === outName)?.data;
      return { response: httpResponseOf(data?.http), facts: result.facts };
    }
    return { response: { status: 404, headers: [], body: Buffer.alloc(0) } };
  }

  private async deliver(
    app: AzureFunctionApp,
    fn: RegisteredFunction,
    trigger: Binding,
    payload: TriggerPayload,
    reason: string,
  ): Promise<TriggerDelivery> {
    const result = await app.invoke({
      functionName: fn.name,
      inputData: [{ name: trigger.name ?? 'trigger', data: payload.data }],
      triggerMetadata: payload.metadata,
      reason,
    });
    return {
      app: app.name,
      function: fn.name,
      outcome: result.kind,
      attempts: 1,
      ...(result.kind === 'failed' ? { message: result.message } : {}),
    };
  }

  private async deliverQueue(
    app: AzureFunctionApp,
    fn: RegisteredFunction,
    trigger: Binding,
    queue: string,
    message: QueueMessage,
  ): Promise<TriggerDelivery> {
    let last: TriggerDelivery | undefined;
    while (message.dequeueCount < MAX_DEQUEUE_COUNT) {
      message.dequeueCount += 1;
      last = await this.deliver(
        app,
        fn,
        trigger,
        queuePayload(message),
        `New queue message detected on '${queue}'.`,
      );
      if (last.outcome === 'succeeded') return { ...last, attempts: message.dequeueCount };
    }
    const poison = `${queue}-poison`;
    this.options.logger.line(
      app.name,
      stamped(
        `Message has reached MaxDequeueCount of ${MAX_DEQUEUE_COUNT}. Moving message to queue '${poison}'.`,
      ),
      'stderr',
    );
    // Functions listening on the poison queue see the message, as they would in Azure.
    void this.enqueue(poison, message.text);
    return { ...(last as TriggerDelivery), attempts: message.dequeueCount };
  }

  private arm(timer: TimerEntry, from: Date): void {
    if (this.stopped) return;
    const next = timer.schedule.next(from);
    // setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
    const wait = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1);
    const handle = setTimeout(
      () => {
        this.timerHandles.delete(handle);
        if (Date.now() + 5 < next.getTime()) return this.arm(timer, new Date());
        void this.fireTimer(timer, next, false).finally(() => this.arm(timer, next));
      },
      Math.max(0, wait),
    );
    handle.unref();
    this.timerHandles.add(handle);
  }

  private async fireTimer(timer: TimerEntry, at: Date, startup: boolean): Promise<void> {
    const payload = timerPayload({ next: timer.schedule.next(at), isPastDue: false });
    const reason = startup ? 'Timer fired at startup (runOnStartup)' : `Timer fired at ${at.toISOString()}`;
    await this.deliver(timer.app, timer.fn, timer.trigger, payload, reason).catch((error: unknown) =>
      this.options.logger.line(timer.app.name, stamped(`timer ${timer.fn.name}: ${String(error)}`), 'stderr'),
    );
  }
}

function triggerOf(fn: RegisteredFunction): Binding | undefined {
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (/trigger$/i.test(binding.type)) return { ...binding, name: binding.name ?? name };
  }
  return undefined;
}

/** `fixtures/app/azure.handler` → `fixtures/app/azure.js` when no azure.entryPoint is written. */
function handlerScript(fn: FunctionModel): string | undefined {
  const handler = fn.handler;
  if (!handler?.includes('.')) return undefined;
  return `${handler.slice(0, handler.lastIndexOf('.'))}.js`;
}
