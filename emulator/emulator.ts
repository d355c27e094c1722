import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LOCAL_STATE } from '../common/local-state';
import { type FunctionModel, type ServiceModel, settingFor } from '../common/service/service-model';
import { type FunctionCode, LocalFunctionCode } from './code/function-code';
import { HostedCode } from './code/hosted-code';
import { RegistryFunctionCode } from './code/registry-code';
import { chooseEngine, type EngineName } from './engines/choose-engine';
import type { RuntimeUse } from './engines/docker-engine';
import type { Engine } from './engines/engine';
import { runtimeImageSettings } from './engines/runtime-images';
import { jsonResponse } from './gateway/gateway-response';
import { GatewayServer } from './gateway/gateway-server';
import { consoleLogger, type EmulatorLogger } from './logger';
import { AwsFrontEnd } from './providers/aws/aws-front-end';
import { createInvokeApiHandler } from './providers/aws/invoke-api';
import { AzureFrontEnd } from './providers/azure/azure-front-end';
import { GcpFrontEnd } from './providers/gcp/gcp-front-end';
import { HotReload } from './watch/hot-reload';
import { ImageRebuild } from './watch/image-rebuild';

export interface EmulatorOptions {
  model: ServiceModel;
  engine?: EngineName | Engine;
  host?: string;
  /** API Gateway port (0 = any free port). */
  port?: number;
  /** Lambda Invoke API port. */
  lambdaPort?: number;
  /** Google Cloud Functions port: functions at `/<name>`, Pub/Sub publish (0 = any free port). */
  gcpPort?: number;
  /** Azure Functions port: HTTP triggers under `/api`, queue and blob injection (0 = any free port). */
  azurePort?: number;
  warm?: 'eager' | 'lazy';
  idleTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when an instance is stopped (idle, recycle, shutdown); 10 s by default. */
  stopGraceMs?: number;
  /** Concurrency limit for functions without reservedConcurrency. */
  defaultConcurrency?: number;
  logger?: EmulatorLogger;
  /** Host folder with a function's unpacked code; default: the source packed as publish would. */
  codeDirFor?(fn: FunctionModel): Promise<string>;
  /** `local` (default): source packed as publish would; `registry`: what sourceArtifact points to. */
  artifacts?: 'local' | 'registry';
  /** Hot reload: watch the service folder and swap functions to new code as it is saved. */
  watch?: boolean;
  /** With watch: swap without trying the new code first (init errors reach callers). */
  strict?: boolean;
  /** With watch: called after each swap, e.g. to publish the new artefact. */
  onReloaded?(fn: FunctionModel, code: FunctionCode): Promise<void>;
}

export interface Endpoint {
  /** HTTP method (or `ANY`), or the name of an API. */
  name: string;
  url: string;
  description: string;
  functionName?: string;
  provider?: string;
}

/** Default ports, as serverless-offline users know them. */
export const DEFAULT_PORTS = { gateway: 3000, lambda: 3002, gcp: 8080, azure: 7071 };

/**
 * A running emulator: the engine, the provider front-ends and their servers. `start()` binds
 * everything (127.0.0.1 unless told otherwise) and `stop()` releases everything it started.
 */
export class Emulator {
  readonly gateway = new GatewayServer();
  /** The Google Cloud Functions front door (its own port, as the functions-framework has). */
  readonly gcpGateway = new GatewayServer();
  /** The Azure Functions front door (its own port, as `func start` has). */
  readonly azureGateway = new GatewayServer();
  private azureFrontEnd: AzureFrontEnd | undefined;
  private aws!: AwsFrontEnd;
  private gcpFrontEnd: GcpFrontEnd | undefined;
  private engine!: Engine;
  private lambdaServer: Server | undefined;
  private readonly host: string;
  private ports = { gateway: 0, lambda: 0, gcp: 0, azure: 0 };
  private readonly logger: EmulatorLogger;
  private readonly code: LocalFunctionCode;
  private readonly registryCode: RegistryFunctionCode;
  /** What each function runs now, when it runs packed local source. */
  private readonly prepared = new Map<string, FunctionCode>();
  private reloader: HotReload | undefined;
  private imageRebuild: ImageRebuild | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.logger = options.logger ?? consoleLogger;
    this.code = new LocalFunctionCode(options.model);
    this.registryCode = new RegistryFunctionCode(options.model);
  }

  get engineName(): string {
    return this.engine.name;
  }

  /** Where instances run, once started: what else runs functions (deployed ones) shares it. */
  get instanceEngine(): Engine {
    return this.engine;
  }

  async start(): Promise<void> {
    const { options } = this;
    this.engine =
      typeof options.engine === 'object'
        ? options.engine
        : await chooseEngine(options.engine, {
            runtimes: runtimeUses(options.model),
            runtimeImages: runtimeImageSettings(options.model.custom, options.model.configFile),
            ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
            logger: this.logger,
          });
    await this.engine.cleanup();
    this.aws = new AwsFrontEnd({
      model: options.model,
      engine: this.engine,
      logger: this.logger,
      codeDirFor: (fn) => this.codeDirFor(fn),
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      defaultConcurrency: options.defaultConcurrency ?? 10,
    });
    await this.aws.load();
    this.gateway.setRoutes(this.aws.routes());
    const hostedRoot = join(options.model.serviceDir, LOCAL_STATE.hosted);
    if (options.model.functions.some((fn) => fn.targets.includes('gcp'))) {
      this.gcpFrontEnd = new GcpFrontEnd({
        model: options.model,
        engine: this.engine,
        logger: this.logger,
        codeDirFor: (fn) => this.codeDirFor(fn),
        hosted: new HostedCode(hostedRoot, ['@google-cloud/functions-framework']),
        idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
        defaultMaxInstances: options.defaultConcurrency ?? 10,
      });
      await this.gcpFrontEnd.load();
      this.gcpGateway.setRoutes(this.gcpFrontEnd.routes());
    }
    if (options.model.functions.some((fn) => fn.targets.includes('azure'))) {
      this.azureFrontEnd = new AzureFrontEnd({
        model: options.model,
        engine: this.engine,
        logger: this.logger,
        codeDirFor: (fn) => this.codeDirFor(fn),
        hosted: new HostedCode(hostedRoot, ['@azure/functions']),
        idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      });
      await this.azureFrontEnd.load();
      this.azureGateway.setRoutes(this.azureFrontEnd.routes());
    }
    for (const gateway of [this.gateway, this.gcpGateway, this.azureGateway]) this.addControls(gateway);
    this.ports.gateway = await this.gateway.listen(options.port ?? DEFAULT_PORTS.gateway, this.host);
    if (this.gcpFrontEnd)
      this.ports.gcp = await this.gcpGateway.listen(options.gcpPort ?? DEFAULT_PORTS.gcp, this.host);
    if (this.azureFrontEnd)
      this.ports.azure = await this.azureGateway.listen(options.azurePort ?? DEFAULT_PORTS.azure, this.host);
    const invokeApi = createInvokeApiHandler(this.aws, this.aws.region, this.aws.accountId);
    this.lambdaServer = createServer((req, res) => {
      invokeApi(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'x-amzn-errortype': 'ServiceException' });
        res.end(JSON.stringify({ Type: 'Service', message: String(error) }));
      });
    });
    this.ports.lambda = await listen(
      this.lambdaServer,
      options.lambdaPort ?? DEFAULT_PORTS.lambda,
      this.host,
    );
    await this.aws.prewarm(options.warm === 'eager');
    await this.gcpFrontEnd?.prewarm(options.warm === 'eager');
    await this.azureFrontEnd?.prewarm(options.warm === 'eager');
    if (options.watch && options.artifacts !== 'registry') await this.startHotReload();
    this.aws.startSchedules();
    this.azureFrontEnd?.startTimers();
  }

  /** Host folder with a function's unpacked code (packed as publish would, unless told otherwise). */
  private async codeDirFor(fn: FunctionModel): Promise<string> {
    if (this.options.codeDirFor) return this.options.codeDirFor(fn);
    const code =
      this.options.artifacts === 'registry'
        ? await this.registryCode.prepare(fn)
        : await this.code.prepare(fn);
    this.prepared.set(fn.name, code);
    return code.codeDir;
  }

  /** Recycle and status endpoints, on every provider's port. */
  private addControls(gateway: GatewayServer): void {
    gateway.addControl('POST', '/__faasport/functions/{name}/recycle', async (_request, params) => {
      const recycled = this.recycleAll(params.name ?? '');
      if (recycled.length === 0)
        return { response: jsonResponse(404, { message: `no function named ${params.name}` }) };
      return { response: jsonResponse(200, { recycled: recycled[0], providers: recycled.length }) };
    });
    gateway.addControl('GET', '/__faasport/functions', async () => ({
      response: jsonResponse(200, {
        functions: [
          ...this.aws.list().map(({ lambda }) => ({ name: lambda.name, provider: 'aws', ...lambda.stats() })),
          ...(this.gcpFrontEnd?.list() ?? []).map(({ fn }) => ({
            name: fn.name,
            provider: 'gcp',
            ...fn.stats(),
          })),
          ...(this.azureFrontEnd?.list() ?? []).map(({ app }) => ({
            name: app.name,
            provider: 'azure',
            ...app.stats(),
          })),
        ],
      }),
    }));
  }

  /** The Azure front-end, when a function targets azure. */
  get azure(): AzureFrontEnd | undefined {
    return this.azureFrontEnd;
  }

  /** The Google Cloud front-end, when a function targets gcp. */
  get gcp(): GcpFrontEnd | undefined {
    return this.gcpFrontEnd;
  }

  /** The hot reloader, when watching (tests wait on `idle()`). */
  get hotReload(): HotReload | undefined {
    return this.reloader;
  }

  /** Rebuilds of container-image functions, when watching and some say how (tests wait on `idle()`). */
  get imageReload(): ImageRebuild | undefined {
    return this.imageRebuild;
  }

  private async startHotReload(): Promise<void> {
    const imageId = this.engine.imageId?.bind(this.engine);
    const rebuildable = imageId ? this.aws.imageReloadTargets() : [];
    for (const { model } of this.aws.list()) {
      if (model.packageType !== 'image' || rebuildable.some((target) => target.model.key === model.key))
        continue;
      this.logger.line(
        model.name,
        imageId
          ? `hot reload off: a container image changes only when it is rebuilt — set functions.${model.key}.image.build to the command that builds it (e.g. [docker, build, -t, <ref>, .]) and the emulator rebuilds and swaps it on change`
          : `hot reload off: the ${this.engine.name} engine does not run container images`,
        'stderr',
      );
    }
    if (imageId && rebuildable.length > 0) {
      this.imageRebuild = new ImageRebuild({
        serviceDir: this.options.model.serviceDir,
        targets: rebuildable,
        imageId,
        logger: this.logger,
        ...(this.options.strict ? { strict: true } : {}),
      });
      await this.imageRebuild.start();
    }
    this.reloader = new HotReload({
      model: this.options.model,
      code: this.code,
      targets: [
        ...this.aws.reloadTargets(),
        ...(this.gcpFrontEnd?.reloadTargets() ?? []),
        ...(this.azureFrontEnd?.reloadTargets() ?? []),
      ],
      logger: this.logger,
      ...(this.options.strict ? { strict: true } : {}),
      ...(this.options.onReloaded ? { onReloaded: this.options.onReloaded } : {}),
    });
    await this.reloader.start(this.prepared);
  }

  get urls(): { gateway: string; lambda: string; gcp: string; azure: string } {
    return {
      gateway: `http://${this.host}:${this.ports.gateway}`,
      lambda: `http://${this.host}:${this.ports.lambda}`,
      gcp: `http://${this.host}:${this.ports.gcp}`,
      azure: `http://${this.host}:${this.ports.azure}`,
    };
  }

  /** Every URL the emulator serves, for the start-up table. */
  endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = this.gateway.listRoutes().map((route) => ({
      name: route.method,
      url: `${this.urls.gateway}${route.path}`,
      description: route.description,
      ...(route.functionName ? { functionName: route.functionName } : {}),
      ...(route.provider ? { provider: route.provider } : {}),
    }));
    for (const [gateway, base] of [
      [this.gcpGateway, this.urls.gcp],
      [this.azureGateway, this.urls.azure],
    ] as const) {
      for (const route of gateway.listRoutes()) {
        endpoints.push({
          name: route.method,
          url: `${base}${route.path}`,
          description: route.description,
          ...(route.functionName ? { functionName: route.functionName } : {}),
          ...(route.provider ? { provider: route.provider } : {}),
        });
      }
    }
    endpoints.push({
      name: 'Invoke API',
      url: `${this.urls.lambda}/2015-03-31/functions/<name>/invocations`,
      description: 'Lambda Invoke API (SDK, CLI)',
    });
    return endpoints;
  }

  functionNames(): string[] {
    const names = [
      ...this.aws.list().map(({ lambda }) => lambda.name),
      ...(this.gcpFrontEnd?.list() ?? []).map(({ fn }) => fn.name),
      ...(this.azureFrontEnd?.list() ?? []).map(({ app }) => app.name),
    ];
    return [...new Set(names)];
  }

  /** Invokes a function directly, as the Invoke API does. */
  async invoke(name: string, event: unknown) {
    const fn = this.aws.find(name);
    if (!fn) throw new Error(`no function named ${name}; known: ${this.functionNames().join(', ')}`);
    return fn.invoke(Buffer.from(JSON.stringify(event ?? {})));
  }

  /** Recycles the function on every provider that runs it. */
  recycle(name: string): void {
    if (this.recycleAll(name).length === 0) throw new Error(`no function named ${name}`);
  }

  private recycleAll(name: string): string[] {
    const found = [this.aws.find(name), this.gcpFrontEnd?.find(name), this.azureFrontEnd?.find(name)].filter(
      (fn) => fn !== undefined,
    );
    for (const fn of found) fn.recycle();
    return found.map((fn) => fn.name);
  }

  async stop(): Promise<void> {
    await Promise.all([this.reloader?.stop(), this.imageRebuild?.stop()]);
    await Promise.allSettled([
      this.gateway.close(),
      this.gcpGateway.close(),
      this.azureGateway.close(),
      this.azureFrontEnd?.close(),
      this.gcpFrontEnd?.close(),
      this.lambdaServer ? closeServer(this.lambdaServer) : undefined,
      this.aws?.close(),
    ]);
  }
}

/** Every (provider, runtime) a zip function runs on, as each provider's front-end will ask for it. */
function runtimeUses(model: ServiceModel): RuntimeUse[] {
  return model.functions
    .filter((fn) => fn.packageType !== 'image')
    .flatMap((fn) =>
      fn.targets.map((provider) => ({
        provider,
        runtimeId: String(settingFor(model, fn, provider, 'runtime', fn.runtime)),
      })),
    );
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
