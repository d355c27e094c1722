import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionModel, ServiceModel } from '../common/service/service-model';
import { type FunctionCode, LocalFunctionCode } from './code/function-code';
import { RegistryFunctionCode } from './code/registry-code';
import { chooseEngine, type EngineName } from './engines/choose-engine';
import type { Engine } from './engines/engine';
import { jsonResponse } from './gateway/gateway-response';
import { GatewayServer } from './gateway/gateway-server';
import { consoleLogger, type EmulatorLogger } from './logger';
import { AwsFrontEnd } from './providers/aws/aws-front-end';
import { createInvokeApiHandler } from './providers/aws/invoke-api';
import { HotReload } from './watch/hot-reload';

export interface EmulatorOptions {
  model: ServiceModel;
  engine?: EngineName | Engine;
  host?: string;
  /** API Gateway port (0 = any free port). */
  port?: number;
  /** Lambda Invoke API port. */
  lambdaPort?: number;
  warm?: 'eager' | 'lazy';
  idleTimeoutMs?: number;
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
export const DEFAULT_PORTS = { gateway: 3000, lambda: 3002 };

/**
 * A running emulator: the engine, the provider front-ends and their servers. `start()` binds
 * everything (127.0.0.1 unless told otherwise) and `stop()` releases everything it started.
 */
export class Emulator {
  readonly gateway = new GatewayServer();
  private aws!: AwsFrontEnd;
  private engine!: Engine;
  private lambdaServer: Server | undefined;
  private readonly host: string;
  private ports = { gateway: 0, lambda: 0 };
  private readonly logger: EmulatorLogger;
  private readonly code: LocalFunctionCode;
  private readonly registryCode: RegistryFunctionCode;
  /** What each function runs now, when it runs packed local source. */
  private readonly prepared = new Map<string, FunctionCode>();
  private reloader: HotReload | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.logger = options.logger ?? consoleLogger;
    this.code = new LocalFunctionCode(options.model);
    this.registryCode = new RegistryFunctionCode(options.model);
  }

  get engineName(): string {
    return this.engine.name;
  }

  async start(): Promise<void> {
    const { options } = this;
    this.engine =
      typeof options.engine === 'object'
        ? options.engine
        : await chooseEngine(options.engine, {
            runtimes: options.model.functions
              .filter((fn) => fn.packageType !== 'image')
              .map((fn) => fn.runtime),
            logger: this.logger,
          });
    await this.engine.cleanup();
    this.aws = new AwsFrontEnd({
      model: options.model,
      engine: this.engine,
      logger: this.logger,
      codeDirFor:
        options.codeDirFor ??
        (async (fn) => {
          const code =
            options.artifacts === 'registry'
              ? await this.registryCode.prepare(fn)
              : await this.code.prepare(fn);
          this.prepared.set(fn.name, code);
          return code.codeDir;
        }),
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      defaultConcurrency: options.defaultConcurrency ?? 10,
    });
    await this.aws.load();
    this.gateway.setRoutes(this.aws.routes());
    this.gateway.addControl('POST', '/__faasport/functions/{name}/recycle', async (_request, params) => {
      const fn = this.aws.find(params.name ?? '');
      if (!fn) return { response: jsonResponse(404, { message: `no function named ${params.name}` }) };
      fn.recycle();
      return { response: jsonResponse(200, { recycled: fn.name }) };
    });
    this.gateway.addControl('GET', '/__faasport/functions', async () => ({
      response: jsonResponse(200, {
        functions: this.aws
          .list()
          .map(({ lambda }) => ({ name: lambda.name, provider: 'aws', ...lambda.stats() })),
      }),
    }));
    this.ports.gateway = await this.gateway.listen(options.port ?? DEFAULT_PORTS.gateway, this.host);
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
    if (options.watch && options.artifacts !== 'registry') await this.startHotReload();
    this.aws.startSchedules();
  }

  /** The hot reloader, when watching (tests wait on `idle()`). */
  get hotReload(): HotReload | undefined {
    return this.reloader;
  }

  private async startHotReload(): Promise<void> {
    for (const { model } of this.aws.list()) {
      if (model.packageType === 'image') {
        this.logger.line(
          model.name,
          'hot reload off: a container image changes only when it is rebuilt and republished',
          'stderr',
        );
      }
    }
    this.reloader = new HotReload({
      model: this.options.model,
      code: this.code,
      targets: this.aws.reloadTargets(),
      logger: this.logger,
      ...(this.options.strict ? { strict: true } : {}),
      ...(this.options.onReloaded ? { onReloaded: this.options.onReloaded } : {}),
    });
    await this.reloader.start(this.prepared);
  }

  get urls(): { gateway: string; lambda: string } {
    return {
      gateway: `http://${this.host}:${this.ports.gateway}`,
      lambda: `http://${this.host}:${this.ports.lambda}`,
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
    endpoints.push({
      name: 'Invoke API',
      url: `${this.urls.lambda}/2015-03-31/functions/<name>/invocations`,
      description: 'Lambda Invoke API (SDK, CLI)',
    });
    return endpoints;
  }

  functionNames(): string[] {
    return this.aws.list().map(({ lambda }) => lambda.name);
  }

  /** Invokes a function directly, as the Invoke API does. */
  async invoke(name: string, event: unknown) {
    const fn = this.aws.find(name);
    if (!fn) throw new Error(`no function named ${name}; known: ${this.functionNames().join(', ')}`);
    return fn.invoke(Buffer.from(JSON.stringify(event ?? {})));
  }

  recycle(name: string): void {
    const fn = this.aws.find(name);
    if (!fn) throw new Error(`no function named ${name}`);
    fn.recycle();
  }

  async stop(): Promise<void> {
    await this.reloader?.stop();
    await Promise.allSettled([
      this.gateway.close(),
      this.lambdaServer ? closeServer(this.lambdaServer) : undefined,
      this.aws?.close(),
    ]);
  }
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
