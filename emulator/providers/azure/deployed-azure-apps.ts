import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { UserError } from '../../../common/errors';
import type { DeployedSite } from '../../../local-cloud/azure/deployed-site';
import { CloudError } from '../../../local-cloud/cloud-error';
import type { AzureInvoker, SiteRequest, SiteResponse } from '../../../local-cloud/invokers';
import type { DeployedCode } from '../../code/deployed-code';
import type { HostedCode } from '../../code/hosted-code';
import type { Engine } from '../../engines/engine';
import { factsHeaders } from '../../gateway/gateway-server';
import type { GatewayRequest } from '../../gateway/http-request';
import type { EmulatorLogger } from '../../logger';
import { AzureFunctionApp, type Binding, type RegisteredFunction } from './azure-app';
import { httpResponseOf, httpTriggerData } from './azure-http';
import { type AzureRoute, compileAzureRoute } from './azure-route';
import { customHandlerProtocol, readFunctionJsons } from './custom-handler-protocol';
import { readHostJson } from './host-json';
import { nodeWorkerProtocol } from './node-worker-protocol';

export interface DeployedAzureAppsOptions {
  /** The emulator's engine: deployed apps run where the service's functions run. */
  engine: Engine;
  code: DeployedCode;
  /** Adds @azure/functions, which the platform's Node worker supplies. */
  hosted: HostedCode;
  logger: EmulatorLogger;
  idleTimeoutMs: number;
}

type HttpRoute = { fn: RegisteredFunction; trigger: Binding; route: AzureRoute; methods: string[] };
type RunningApp = { app: AzureFunctionApp; routes: HttpRoute[] };
type Running = { key: string; app: Promise<RunningApp> };

/** What a Consumption / Premium host gives a Node app when the plan does not say (UNCONFIRMED). */
const MEMORY_MB = 1536;
const DEFAULT_NODE = '22';
/** Settings the platform reads and the app never needs; the package URL carries a SAS token. */
const PLATFORM_ONLY = new Set(['WEBSITE_RUN_FROM_PACKAGE']);

/**
 * Runs what was deployed to the local Azure plane: each function app on the package its
 * WEBSITE_RUN_FROM_PACKAGE named, with its app settings as environment, through the emulator's
 * Azure host (Node v4 model worker, or the custom handler host.json names) — cold start, warm
 * reuse, host.json limits. A new package or new settings (an app restart on Azure) retire the old
 * host: the next request is cold on what was deployed last. HTTP triggers are served under the
 * app's route prefix (`/api/<route>`).
 */
export class DeployedAzureApps {
  private readonly running = new Map<string, Running>();
  /** The plane hands over the same Buffer until the app restarts: hash each package once. */
  private readonly digests = new WeakMap<Buffer, string>();

  constructor(private readonly options: DeployedAzureAppsOptions) {}

  /** The local Azure plane's invoker (`LocalCloudInvokers.azure`). */
  readonly invoker: AzureInvoker = async (site, zip, request) => {
    const { app, routes } = await this.appFor(site, zip);
    for (const entry of routes) {
      const params = entry.route.match(request.path);
      if (!params || !entry.methods.includes(request.method.toUpperCase())) continue;
      return this.call(app, entry, gatewayRequest(request), params);
    }
    return { status: 404, headers: [], body: Buffer.alloc(0) };
  };

  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map(async ({ app }) => (await app.catch(() => undefined))?.app.close()));
  }

  private appFor(site: DeployedSite, zip: Buffer): Promise<RunningApp> {
    const name = site.name.toLowerCase();
    let digest = this.digests.get(zip);
    if (!digest) {
      digest = createHash('sha256').update(zip).digest('hex');
      this.digests.set(zip, digest);
    }
    const linuxFxVersion = (site.properties.siteConfig as { linuxFxVersion?: unknown } | undefined)
      ?.linuxFxVersion;
    // Any settings change restarts an app on Azure: here it means a new host, started cold.
    const key = JSON.stringify([digest, site.appSettings, linuxFxVersion ?? '']);
    const current = this.running.get(name);
    if (current?.key === key) return current.app;
    if (current) void current.app.then(({ app }) => app.close()).catch(() => undefined);
    const app = this.start(site, zip, String(linuxFxVersion ?? ''));
    this.running.set(name, { key, app });
    app.catch(() => {
      if (this.running.get(name)?.app === app) this.running.delete(name);
    });
    return app;
  }

  private async start(site: DeployedSite, zip: Buffer, linuxFxVersion: string): Promise<RunningApp> {
    const settings = site.appSettings;
    const worker = settings.FUNCTIONS_WORKER_RUNTIME ?? '';
    if (worker !== 'node' && worker !== 'custom') {
      throw new CloudError(
        501,
        'NotImplemented',
        `The app ${site.name} has FUNCTIONS_WORKER_RUNTIME=${worker || '(unset)'}: the local emulator hosts node and custom-handler apps.`,
      );
    }
    const codeDir = await this.options.code.prepare(zip);
    const host = await hostProblem(site.name, () => readHostJson(codeDir));
    if (worker === 'custom' && !host.customHandler) {
      throw hostDown(site.name, 'FUNCTIONS_WORKER_RUNTIME is custom but host.json names no customHandler');
    }
    const protocol = host.customHandler
      ? customHandlerProtocol(
          host.customHandler,
          await hostProblem(site.name, () => readFunctionJsons(codeDir)),
        )
      : nodeWorkerProtocol(site.name, await hostProblem(site.name, () => nodeEntry(codeDir)));
    const node = /^node\|(\d+)/i.exec(linuxFxVersion)?.[1] ?? DEFAULT_NODE;
    const environment = Object.fromEntries(
      Object.entries(settings).filter(([key]) => !PLATFORM_ONLY.has(key.toUpperCase())),
    );
    const app = new AzureFunctionApp(
      {
        name: site.name,
        scriptRoot: '',
        protocol,
        runtime: `nodejs${node}.x`,
        memoryMb: MEMORY_MB,
        host,
        // One host, as `func start`: scale-out is not emulated for apps either.
        maxHosts: 1,
        environment,
      },
      {
        engine: this.options.engine,
        logger: this.options.logger,
        codeDir: host.customHandler ? codeDir : await this.options.hosted.prepare(codeDir),
        idleTimeoutMs: this.options.idleTimeoutMs,
      },
    );
    // The host indexes at start-up; a throw-away host learns the functions, so the first request is cold.
    await hostProblem(site.name, () => app.index());
    return { app, routes: httpRoutes(app) };
  }

  private async call(
    app: AzureFunctionApp,
    entry: HttpRoute,
    request: GatewayRequest,
    params: Record<string, string>,
  ): Promise<SiteResponse> {
    const result = await app.invoke({
      functionName: entry.fn.name,
      inputData: [{ name: entry.trigger.name ?? 'request', data: httpTriggerData(request, params) }],
      triggerMetadata: {},
      reason: 'This function was programmatically called via the host APIs.',
      httpRequest: request,
    });
    if (result.kind === 'throttled') return { status: 429, headers: [], body: Buffer.alloc(0) };
    const facts = result.facts;
    const factHeaders = facts ? factsHeaders(facts) : [];
    if (result.kind !== 'succeeded') return { status: 500, headers: factHeaders, body: Buffer.alloc(0) };
    let response = result.response;
    if (!response) {
      const out = Object.entries(entry.fn.bindings).find(
        ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
      )?.[0];
      const data =
        out === '$return' ? result.returnValue : result.outputData.find((o) => o.name === out)?.data;
      response = httpResponseOf(data?.http);
    }
    return { ...response, headers: [...response.headers, ...factHeaders] };
  }
}

/** The app's HTTP triggers under its route prefix, most specific first. */
function httpRoutes(app: AzureFunctionApp): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of app.functions) {
    for (const [name, binding] of Object.entries(fn.bindings)) {
      if (binding.type.toLowerCase() !== 'httptrigger') continue;
      const prefix = app.host.routePrefix ? `${app.host.routePrefix}/` : '';
      routes.push({
        fn,
        trigger: { ...binding, name: binding.name ?? name },
        route: compileAzureRoute(`${prefix}${binding.route ?? fn.name}`),
        methods: (binding.methods?.length ? binding.methods : ['GET', 'POST']).map((m) => m.toUpperCase()),
      });
    }
  }
  return routes.sort((a, b) => b.route.specificity - a.route.specificity);
}

/**
 * The Node v4 model's entry script: package.json `main`, as the Azure worker reads it (default
 * index.js). A glob there (`src/functions/*.js`) is not expanded locally.
 */
async function nodeEntry(codeDir: string): Promise<string> {
  const text = await readFile(join(codeDir, 'package.json'), 'utf8').catch(() => undefined);
  let main = 'index.js';
  if (text !== undefined) {
    try {
      const value = (JSON.parse(text) as { main?: unknown }).main;
      if (typeof value === 'string' && value) main = value;
    } catch (error) {
      throw new UserError(`package.json is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (/[*?{[]/.test(main))
    throw new UserError(`package.json main "${main}" is a glob: name one entry script`);
  if (posix.normalize(main).startsWith('..'))
    throw new UserError(`package.json main "${main}" is outside the app`);
  return main;
}

function gatewayRequest(request: SiteRequest): GatewayRequest {
  return {
    method: request.method.toUpperCase(),
    path: request.path,
    rawQuery: request.rawQuery,
    headers: request.headers,
    body: request.body,
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    receivedAt: new Date(),
  };
}

function hostDown(app: string, why: string): CloudError {
  return new CloudError(503, 'FunctionHostNotRunning', `Function host of ${app} is not running: ${why}`);
}

/** What the app's own files get wrong is the app's problem: a 503 that says why, as Azure's host page. */
async function hostProblem<T>(app: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof UserError) throw hostDown(app, error.message);
    throw error;
  }
}
