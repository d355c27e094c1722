import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Cloud } from '../common/clouds';
import { UserError } from '../common/errors';
import { type FunctionModel, type ServiceModel, settingFor } from '../common/service/service-model';
import { serviceCacheDir } from './code/cache-dir';
import { type FunctionCode, LocalFunctionCode } from './code/function-code';
import { HostedCode } from './code/hosted-code';
import { RegistryFunctionCode } from './code/registry-code';
import type { ConsoleBackend, ConsoleFunction, PlanesView } from './console/console-backend';
import { LocalConsole } from './console/console-server';
import { chooseEngine, type EngineName } from './engines/choose-engine';
import type { RuntimeUse } from './engines/docker-engine';
import type { Engine } from './engines/engine';
import { runtimeImageSettings } from './engines/runtime-images';
import { EventBus } from './events/event-bus';
import { eventLogger } from './events/event-logger';
import { jsonResponse } from './gateway/gateway-response';
import { GatewayServer, keepConnectionsAlive } from './gateway/gateway-server';
import { type InspectPlan, inspectPlan } from './inspect/inspect-plan';
import type { InspectRequest } from './inspect/inspect-request';
import { inspectingEngine } from './inspect/inspecting-engine';
import { consoleLogger, type EmulatorLogger } from './logger';
import type { AzureFrontEnd } from './providers/azure/azure-front-end';
import type { FrontEndApi, FrontEndContext, ProviderFrontEnd, SampleOutcome } from './providers/front-end';
import { FRONT_END_ORDER, FRONT_ENDS, type FrontEndOf, type GatewayPort } from './providers/front-ends';
import type { GcpFrontEnd } from './providers/gcp/gcp-front-end';
import { REQUEST_LIMITS } from './providers/payload-limits';
import { sampleEventCloud } from './providers/sample-events';
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
  /** API Gateway websocket port, when a function has `websocket` events (0 = any free port). */
  websocketPort?: number;
  /** Application Load Balancer port, when a function has `alb` events (0 = any free port). */
  albPort?: number;
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
  /** A Docker network instances join (default: `custom.faasport.dockerNetwork`, else the host network). */
  dockerNetwork?: string;
  /** `--inspect` / `--inspect-brk`: open a debugger port in these functions' instances. */
  inspect?: InspectRequest;
  /** Serve the browser console at /__faasport/ on the gateway port (default true); the event stream is always served. */
  console?: boolean;
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
export const DEFAULT_PORTS = {
  gateway: 3000,
  websocket: 3001,
  lambda: 3002,
  alb: 3003,
  gcp: 8080,
  azure: 7071,
};

type PortName = GatewayPort | FrontEndApi['port'];

/**
 * A running emulator: the engine, the provider front-ends (providers/front-ends.ts) and their
 * servers. `start()` binds everything (127.0.0.1 unless told otherwise) and `stop()` releases
 * everything it started.
 */
export class Emulator {
  /** One gateway per port: AWS on `port`, Google Cloud Functions and Azure Functions on their own. */
  private readonly gateways: Record<GatewayPort, GatewayServer> = {
    gateway: new GatewayServer(REQUEST_LIMITS.gateway),
    gcp: new GatewayServer(REQUEST_LIMITS.gcp),
    azure: new GatewayServer(REQUEST_LIMITS.azure),
  };
  private readonly frontEnds = new Map<Cloud, ProviderFrontEnd>();
  private readonly apiServers: Server[] = [];
  private engine!: Engine;
  private readonly host: string;
  private ports: Record<PortName, number> = { gateway: 0, lambda: 0, websocket: 0, alb: 0, gcp: 0, azure: 0 };
  private readonly logger: EmulatorLogger;
  private readonly code: LocalFunctionCode;
  private readonly registryCode: RegistryFunctionCode;
  /** What each function runs now, when it runs packed local source. */
  private readonly prepared = new Map<string, FunctionCode>();
  private reloader: HotReload | undefined;
  private imageRebuild: ImageRebuild | undefined;
  /** Invocations, reloads, instances and log lines as typed events (emulator/events/). */
  readonly events = new EventBus();
  private planes: PlanesView | undefined;
  private inspectedPlan: InspectPlan | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.logger = eventLogger(options.logger ?? consoleLogger, this.events);
    this.code = new LocalFunctionCode(options.model, { drainGraceMs: drainGraceMs(options.model) });
    this.registryCode = new RegistryFunctionCode(options.model);
  }

  /** The logger everything the emulator runs writes to: lines reach the terminal and the events. */
  get log(): EmulatorLogger {
    return this.logger;
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
    for (const warning of options.model.warnings ?? []) this.logger.line('faasport', warning, 'stderr');
    const runtimes = runtimeUses(options.model);
    this.engine =
      typeof options.engine === 'object'
        ? options.engine
        : await chooseEngine(options.engine, {
            runtimes,
            runtimeImages: runtimeImageSettings(options.model.custom, options.model.configFile),
            serviceDir: options.model.serviceDir,
            ...(options.stopGraceMs !== undefined ? { stopGraceMs: options.stopGraceMs } : {}),
            ...dockerNetwork(options),
            logger: this.logger,
          });
    if (options.inspect) {
      this.inspectedPlan = inspectPlan(options.model, options.inspect);
      this.engine = inspectingEngine(this.engine, this.inspectedPlan);
    }
    // Runtime images are built (or pulled) now, before anything listens: a request never waits
    // on a build, and what cannot be built stops the start with what to run.
    await this.engine.prepareRuntimes?.(runtimes, {
      logger: this.logger,
      serviceDir: options.model.serviceDir,
    });
    await this.engine.cleanup();
    const hostedRoot = join(serviceCacheDir(options.model.serviceDir), 'hosted');
    const context: FrontEndContext = {
      model: options.model,
      engine: this.engine,
      logger: this.logger,
      codeDirFor: (fn) => this.codeDirFor(fn),
      hostedCode: (libraries) => {
        const hosted = new HostedCode(hostedRoot, libraries);
        // A code folder collected after a reload takes its hosted copy with it.
        this.code.onRemoved((codeDir) => hosted.remove(codeDir));
        return hosted;
      },
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      defaultConcurrency: options.defaultConcurrency ?? 10,
    };
    for (const cloud of FRONT_END_ORDER) {
      const entry = FRONT_ENDS[cloud];
      if (!entry.always && !options.model.functions.some((fn) => fn.targets.includes(cloud))) continue;
      const frontEnd: ProviderFrontEnd = entry.create(context);
      await frontEnd.load();
      this.gateways[entry.port].setRoutes(frontEnd.routes());
      this.frontEnds.set(cloud, frontEnd);
    }
    for (const gateway of Object.values(this.gateways)) this.addControls(gateway);
    const localConsole = new LocalConsole(this.consoleBackend(), options.console !== false);
    this.gateways.gateway.mount((req, res) => localConsole.handle(req, res));
    const requested: Record<PortName, number> = {
      gateway: options.port ?? DEFAULT_PORTS.gateway,
      lambda: options.lambdaPort ?? DEFAULT_PORTS.lambda,
      websocket: options.websocketPort ?? DEFAULT_PORTS.websocket,
      alb: options.albPort ?? DEFAULT_PORTS.alb,
      gcp: options.gcpPort ?? DEFAULT_PORTS.gcp,
      azure: options.azurePort ?? DEFAULT_PORTS.azure,
    };
    for (const cloud of this.frontEnds.keys()) {
      const port = FRONT_ENDS[cloud].port;
      if (!this.ports[port]) this.ports[port] = await this.gateways[port].listen(requested[port], this.host);
    }
    for (const frontEnd of this.frontEnds.values()) {
      for (const api of frontEnd.apis()) {
        const server = keepConnectionsAlive(
          createServer((req, res) => {
            api.handle(req, res).catch((error: unknown) => {
              if (!res.headersSent) res.writeHead(500, { 'x-amzn-errortype': 'ServiceException' });
              res.end(JSON.stringify({ Type: 'Service', message: String(error) }));
            });
          }),
        );
        const { upgrade } = api;
        if (upgrade) server.on('upgrade', (req, socket, head) => upgrade(req, socket, head));
        this.apiServers.push(server);
        this.ports[api.port] = await listen(server, requested[api.port], this.host);
      }
    }
    for (const frontEnd of this.frontEnds.values()) await frontEnd.prewarm(options.warm === 'eager');
    if (options.watch && options.artifacts !== 'registry') await this.startHotReload();
    for (const frontEnd of this.frontEnds.values()) frontEnd.startTriggers();
  }

  /** Host folder with a function's unpacked code (packed as publish would, unless told otherwise). */
  private async codeDirFor(fn: FunctionModel): Promise<string> {
    if (this.options.codeDirFor) return this.options.codeDirFor(fn);
    if (this.options.artifacts === 'registry') {
      const code = await this.registryCode.prepare(fn);
      this.prepared.set(fn.name, code);
      return code.codeDir;
    }
    // A first pack of a large dependency tree takes seconds: say so rather than sit silent.
    const started = Date.now();
    const slow = setTimeout(
      () => this.logger.line('faasport', `${fn.name}: packing the function as publish would (first start)…`),
      1000,
    );
    const code = await this.code.prepare(fn).finally(() => clearTimeout(slow));
    const seconds = (Date.now() - started) / 1000;
    if (seconds >= 1) {
      this.logger.line(
        'faasport',
        `${fn.name}: packed ${code.files ?? '?'} files in ${seconds.toFixed(1)} s; later packs read only what changed`,
      );
    }
    for (const cloud of fn.targets) await this.code.serve(`${cloud}:${fn.key}`, code);
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
        functions: [...this.frontEnds.values()].flatMap((frontEnd) =>
          frontEnd
            .list()
            .map(({ served }) => ({ name: served.name, provider: frontEnd.cloud, ...served.stats() })),
        ),
      }),
    }));
  }

  /** The functions `--inspect` opened a debugger port in, and their ports. */
  get inspected(): InspectPlan | undefined {
    return this.inspectedPlan;
  }

  /** The local control planes served beside the emulator (`--cloud`), for the console. */
  attachPlanes(planes: PlanesView): void {
    this.planes = planes;
  }

  /** The console's view of the emulator (emulator/console/console-backend.ts). */
  private consoleBackend(): ConsoleBackend {
    const { model } = this.options;
    return {
      events: this.events,
      service: { name: model.service, stage: model.stage, engine: this.engine.name },
      functions: () => this.consoleFunctions(),
      recycle: (name) => this.recycleAll(name).length > 0,
      fireSample: (name, kind) => {
        const fn = model.functions.find((f) => f.name === name || f.key === name);
        if (!fn) throw new UserError(`no function named ${name}`);
        return this.invokeSample(fn, kind, Buffer.from('{"message":"from the faasport console"}'));
      },
      replay: async (requestId, input) => {
        const kept = this.events.replayable(requestId);
        const lambda = kept ? this.frontEnd('aws')?.find(kept.event.function) : undefined;
        if (!lambda) return undefined;
        const result = await lambda.invoke(input, { trigger: 'replay' });
        return { requestId: result.requestId };
      },
      planes: () => this.planes,
    };
  }

  private consoleFunctions(): ConsoleFunction[] {
    const endpoints = this.endpoints();
    return [...this.frontEnds.values()].flatMap((frontEnd) =>
      frontEnd.list().map(({ model, served }) => ({
        name: served.name,
        key: model.key,
        provider: frontEnd.cloud,
        stats: served.stats(),
        triggers: [
          ...endpoints
            .filter((e) => e.functionName === served.name && e.provider === frontEnd.cloud)
            .map((e) => ({ kind: e.name, description: e.description, url: e.url })),
          ...model.events
            .map((event) => Object.keys(event)[0] ?? '')
            .filter((kind) => kind && kind !== 'http' && kind !== 'httpApi')
            .map((kind) => ({
              kind,
              description: JSON.stringify(model.events.find((e) => kind in e)?.[kind]),
            })),
        ],
        samples: frontEnd.sampleEvents.map((sample) => sample.kind),
      })),
    );
  }

  /** A cloud's front-end, when some function targets it (AWS always), for its own operations. */
  frontEnd<C extends Cloud>(cloud: C): FrontEndOf[C] | undefined {
    return this.frontEnds.get(cloud) as FrontEndOf[C] | undefined;
  }

  /** The Azure front-end, when a function targets azure. */
  get azure(): AzureFrontEnd | undefined {
    return this.frontEnd('azure');
  }

  /** The Google Cloud front-end, when a function targets gcp. */
  get gcp(): GcpFrontEnd | undefined {
    return this.frontEnd('gcp');
  }

  /** What a function runs now, when it runs code packed here (its digests and unpacked folder). */
  codeOf(functionName: string): FunctionCode | undefined {
    return this.prepared.get(functionName);
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
    const frontEnds = [...this.frontEnds.values()];
    const rebuildable = imageId ? frontEnds.flatMap((frontEnd) => frontEnd.imageReloadTargets?.() ?? []) : [];
    for (const { model } of frontEnds.flatMap((frontEnd) => frontEnd.list())) {
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
      targets: frontEnds.flatMap((frontEnd) => frontEnd.reloadTargets()),
      logger: this.logger,
      ...(this.options.strict ? { strict: true } : {}),
      onReloaded: async (fn, code) => {
        this.prepared.set(fn.name, code);
        await this.options.onReloaded?.(fn, code);
      },
    });
    await this.reloader.start(this.prepared);
  }

  get urls(): Record<PortName, string> {
    const url = (port: PortName) => `http://${this.host}:${this.ports[port]}`;
    return {
      gateway: url('gateway'),
      lambda: url('lambda'),
      websocket: url('websocket'),
      alb: url('alb'),
      gcp: url('gcp'),
      azure: url('azure'),
    };
  }

  /** Every URL the emulator serves, for the start-up table. */
  endpoints(): Endpoint[] {
    const endpoints: Endpoint[] = [];
    for (const port of ['gateway', 'gcp', 'azure'] as const) {
      const base = this.urls[port];
      for (const route of this.gateways[port].listRoutes()) {
        endpoints.push({
          name: route.method,
          url: `${base}${route.path}`,
          description: route.description,
          ...(route.functionName ? { functionName: route.functionName } : {}),
          ...(route.provider ? { provider: route.provider } : {}),
        });
      }
    }
    for (const frontEnd of this.frontEnds.values()) {
      for (const { port, endpoint } of frontEnd.apis()) {
        const base = this.urls[port];
        endpoints.push({
          name: endpoint.name,
          url: `${endpoint.scheme ? base.replace(/^http/, endpoint.scheme) : base}${endpoint.path}`,
          description: endpoint.description,
        });
      }
    }
    return endpoints;
  }

  functionNames(): string[] {
    const names = [...this.frontEnds.values()].flatMap((frontEnd) =>
      frontEnd.list().map(({ served }) => served.name),
    );
    return [...new Set(names)];
  }

  /** Invokes a function directly, as the Invoke API does. */
  async invoke(name: string, event: unknown) {
    const fn = this.frontEnd('aws')?.find(name);
    if (!fn) throw new Error(`no function named ${name}; known: ${this.functionNames().join(', ')}`);
    return fn.invoke(Buffer.from(JSON.stringify(event ?? {})));
  }

  /**
   * One sample event (`faasport emulate invoke --event <kind>`) to one function, through the
   * front-end whose sample it is.
   */
  async invokeSample(fn: FunctionModel, kind: string, data: Buffer): Promise<SampleOutcome> {
    const cloud = sampleEventCloud(kind);
    if (!cloud) throw new UserError(`"${kind}" is not a sample event`, { exitCode: 2 });
    const frontEnd = this.frontEnds.get(cloud);
    if (!frontEnd?.find(fn.name)) {
      throw new UserError(`${fn.key} does not run on ${cloud} here, so it cannot take a ${kind} event`, {
        hint: `Add ${cloud} to the function’s targets${cloud === 'aws' ? '' : ` (and a ${cloud}.entryPoint)`}, or pick another event.`,
        exitCode: 2,
      });
    }
    return frontEnd.invokeSample(fn, kind, data);
  }

  /** Recycles the function on every provider that runs it. */
  recycle(name: string): void {
    if (this.recycleAll(name).length === 0) throw new Error(`no function named ${name}`);
  }

  private recycleAll(name: string): string[] {
    const found = [...this.frontEnds.values()].flatMap((frontEnd) => frontEnd.find(name) ?? []);
    for (const fn of found) fn.recycle();
    return found.map((fn) => fn.name);
  }

  async stop(): Promise<void> {
    await Promise.all([this.reloader?.stop(), this.imageRebuild?.stop()]);
    this.code.close();
    await Promise.allSettled([
      ...Object.values(this.gateways).map((gateway) => gateway.close()),
      ...[...this.frontEnds.values()].map((frontEnd) => frontEnd.close()),
      ...this.apiServers.map((server) => closeServer(server)),
    ]);
  }
}

/**
 * How long a code folder no function serves is kept after a reload: longer than any request
 * started on it can run (the longest timeout the service sets, Azure's default function timeout
 * of 5 minutes when a function targets Azure), plus a margin.
 */
function drainGraceMs(model: ServiceModel): number {
  let seconds = 0;
  for (const fn of model.functions) {
    for (const cloud of fn.targets) {
      const timeout = Number(settingFor(model, fn, cloud, 'timeout', fn.timeout));
      if (Number.isFinite(timeout)) seconds = Math.max(seconds, timeout);
      if (cloud === 'azure') seconds = Math.max(seconds, 300);
    }
  }
  return (seconds + 5) * 1000;
}

/** `--docker-network`, else `custom.faasport.dockerNetwork`. */
function dockerNetwork(options: EmulatorOptions): { network?: string } {
  const configured = options.model.custom.dockerNetwork;
  if (configured !== undefined && (typeof configured !== 'string' || configured === '')) {
    throw new UserError(`${options.model.configFile}: custom.faasport.dockerNetwork must be a network name`, {
      hint: 'For example:\n  custom:\n    faasport:\n      dockerNetwork: myproject_default',
    });
  }
  const network = options.dockerNetwork ?? configured;
  return network ? { network } : {};
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
