import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine, EngineInstance, InstanceExit, InstancePaths, InstanceSpec } from '../engines/engine';
import type { GatewayResponse } from '../gateway/gateway-response';
import type { EmulatorLogger } from '../logger';
import { boundedRequest } from '../pool/bounded-request';
import { type DiscardReason, InstancePool, ThrottledError } from '../pool/instance-pool';
import { accepts, answers, type ForwardedRequest, forward, type ResponseLimit } from './forward';
import { freeLoopbackPort } from './loopback-port';
import {
  type InvocationCause,
  refusedInvocationEvent,
  servedInstanceEvent,
  servedInvocationEvent,
} from './served-events';

/** What a provider decides about each instance it starts; the port is the instance's own. */
export type InstanceLaunch = Omit<InstanceSpec, 'name' | 'codeDir' | 'onOutput'>;

export interface ServedFunctionOptions {
  /** Function name: pool name, log source, container name prefix. */
  name: string;
  engine: Engine;
  logger: EmulatorLogger;
  /** Folder the instances run (mounted at the engine's task root). */
  codeDir: string;
  launch(context: { port: number; paths: InstancePaths; instanceId: string }): InstanceLaunch;
  /** `tcp`: the port accepts connections (Cloud Run); `http`: any answer to GET path. */
  readiness: { kind: 'tcp' } | { kind: 'http'; path: string };
  /** An instance that is not ready this long after it started is discarded. */
  startTimeoutMs: number;
  maxInstances: number;
  perInstanceConcurrency: number;
  /** How long a request waits for capacity at the limit before ThrottledError. */
  maxQueueWaitMs: number;
  idleTimeoutMs: number;
  /** Turns an instance's output line into the log line (provider format); undefined drops it. */
  formatOutput?(line: string, stream: 'stdout' | 'stderr', instanceId: string): string | undefined;
  /** Told when an instance ends on its own (not killed by the emulator). */
  onExit?(exit: InstanceExit, instanceId: string): void;
}

export type ServedOutcome =
  | { kind: 'response'; response: GatewayResponse }
  | { kind: 'timeout' }
  | { kind: 'crash'; exit: InstanceExit | undefined };

export interface ServedResult {
  outcome: ServedOutcome;
  cold: boolean;
  initDurationMs?: number;
  instanceId: string;
  durationMs: number;
}

/** An instance that exited, or never answered, before it was ready. */
export class InstanceStartError extends Error {
  constructor(
    message: string,
    /** The instance's last output lines: usually why. */
    readonly output: string[],
  ) {
    super(message);
  }
}

type ServedInstance = {
  id: string;
  port: number;
  engine: EngineInstance;
  agent: Agent;
  /** When the engine was asked to start it: init duration counts from here. */
  launchedAt: number;
  initDurationMs: number;
  /**
   * Its last output lines, for the start error. They stop changing once the instance has ended,
   * so the error holds this list and still gets lines that arrive while it is killed.
   */
  recent: string[];
  ended: boolean;
  provider: InstanceLaunch['provider'];
  /** The log lines of the requests it serves now, for their invocation events. */
  captures: Set<string[]>;
};

const OUTPUT_KEPT_FOR_ERRORS = 20;
const EXIT_ANNOUNCED_WAIT_MS = 500;

/**
 * A function whose instances each serve HTTP on their own loopback port (functions-framework,
 * an Azure host, a custom handler): the shared pool lifecycle with requests proxied to an
 * instance. A request past its timeout kills the instance; an instance that exits is replaced.
 */
export class ServedFunction {
  private readonly pool: InstancePool<ServedInstance>;
  private codeDir: string;
  /** Whose function this is, known from the first launch (for events of requests no instance served). */
  private provider: InstanceLaunch['provider'] | undefined;

  constructor(private readonly options: ServedFunctionOptions) {
    this.codeDir = options.codeDir;
    this.pool = new InstancePool<ServedInstance>({
      name: options.name,
      maxInstances: options.maxInstances,
      perInstanceConcurrency: options.perInstanceConcurrency,
      idleTimeoutMs: options.idleTimeoutMs,
      maxQueueWaitMs: options.maxQueueWaitMs,
      launch: () => this.launch(this.codeDir),
      ready: (instance) => this.ready(instance),
      detach: (instance) => instance.agent.destroy(),
      dispose: async (instance) => {
        instance.ended = true;
      },
      ended: (instance, reason) => this.instanceEvent(instance, 'stopped', reason),
      ...(options.onExit ? { onExit: (instance, exit) => options.onExit?.(exit, instance.id) } : {}),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * Sends one request to a warm instance or a new one. Throws ThrottledError when no capacity
   * frees up in time and InstanceStartError when a cold start fails.
   */
  async send(
    message: ForwardedRequest,
    options: {
      timeoutMs: number;
      /** The response announces that the instance is exiting: wait for that before reusing it. */
      exitAnnounced?(response: GatewayResponse): boolean;
      /** The cloud's response size limit, when it has one. */
      limit?: ResponseLimit;
      /** For the event stream: what caused the request, and its id when the provider gives one. */
      invocation?: InvocationCause;
    },
  ): Promise<ServedResult> {
    const startTime = new Date();
    let lease: { instance: ServedInstance; cold: boolean };
    try {
      lease = await this.pool.acquire();
    } catch (error) {
      const refused =
        error instanceof ThrottledError
          ? 'throttled'
          : error instanceof InstanceStartError
            ? 'init-error'
            : undefined;
      if (refused) this.refusedEvent(startTime, refused, options.invocation, error as Error);
      throw error;
    }
    const { instance, cold } = lease;
    const started = performance.now();
    const logs: string[] = [];
    instance.captures.add(logs);
    const result = await boundedRequest(instance.engine, options.timeoutMs, (signal) =>
      forward(instance.port, message, {
        agent: instance.agent,
        signal,
        ...(options.limit ? { limit: options.limit } : {}),
      }).then(
        (response) => response,
        () => 'failed' as const,
      ),
    );
    let outcome: ServedOutcome;
    let discard: DiscardReason | undefined;
    if (result.kind === 'timeout') {
      outcome = { kind: 'timeout' };
      discard = result.discard;
    } else if (result.kind === 'exit' || result.value === 'failed') {
      // The connection broke: the instance is going or gone; wait briefly to report its exit.
      const exit =
        result.kind === 'exit' ? result.exit : await Promise.race([instance.engine.exited, sleep(1000)]);
      outcome = { kind: 'crash', exit: exit || undefined };
      discard = 'crash';
    } else {
      outcome = { kind: 'response', response: result.value };
      if (options.exitAnnounced?.(result.value))
        await Promise.race([instance.engine.exited, sleep(EXIT_ANNOUNCED_WAIT_MS)]);
    }
    instance.captures.delete(logs);
    // Not awaited: the answer goes out while a discarded instance is killed.
    void this.pool.release(instance, discard);
    const served: ServedResult = {
      outcome,
      cold,
      ...(cold ? { initDurationMs: instance.initDurationMs } : {}),
      instanceId: instance.id,
      durationMs: performance.now() - started,
    };
    this.invocationEvent(instance, served, startTime, logs, options.invocation);
    return served;
  }

  private invocationEvent(
    instance: ServedInstance,
    result: ServedResult,
    startTime: Date,
    logs: string[],
    cause: InvocationCause = { trigger: 'http' },
  ): void {
    const who = { provider: instance.provider, function: this.name, cause };
    const facts = { startTime, logs, memoryUsedMb: instance.engine.peakMemoryMb() };
    this.options.logger.event?.(servedInvocationEvent(who, result, facts));
  }

  private refusedEvent(
    startTime: Date,
    outcome: 'throttled' | 'init-error',
    cause: InvocationCause = { trigger: 'http' },
    error: Error,
  ): void {
    if (!this.provider) return;
    const logs = error instanceof InstanceStartError ? [...error.output, error.message] : [error.message];
    const who = { provider: this.provider, function: this.name, cause };
    this.options.logger.event?.(refusedInvocationEvent(who, outcome, startTime, logs));
  }

  private instanceEvent(instance: ServedInstance, change: 'started' | 'stopped', reason?: string): void {
    const who = { provider: instance.provider, function: this.name };
    this.options.logger.event?.(servedInstanceEvent(who, instance, change, reason));
  }

  /** The next request cold-starts; busy instances finish first. */
  recycle(): void {
    this.pool.recycle();
  }

  /** New code for the next cold starts. */
  updateCode(codeDir: string): void {
    this.codeDir = codeDir;
    this.pool.recycle();
  }

  /**
   * Starts a throw-away instance on `codeDir` (default: the current code), optionally asks it
   * one GET, and stops it: the answer, or InstanceStartError when it does not start.
   */
  async probe(path?: string, codeDir = this.codeDir): Promise<GatewayResponse | undefined> {
    const instance = await this.pool.startAside(() => this.launch(codeDir, true));
    try {
      return path
        ? await forward(instance.port, { method: 'GET', path, headers: [], body: Buffer.alloc(0) })
        : undefined;
    } finally {
      await this.pool.end(instance, 'trial');
    }
  }

  async prewarm(count: number): Promise<void> {
    await this.pool.prewarm(count);
  }

  stats(): { instances: number; busy: number; starting: number } {
    return this.pool.stats();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Starts an instance's engine instance on its own port; ready() waits for it to listen. */
  private async launch(codeDir: string, trial = false): Promise<ServedInstance> {
    const { engine, options } = { engine: this.options.engine, options: this.options };
    const id = randomBytes(16).toString('hex');
    const port = await freeLoopbackPort();
    const launch = options.launch({ port, paths: engine.paths({ codeDir }), instanceId: id });
    this.provider = launch.provider;
    const recent: string[] = [];
    let instance: ServedInstance | undefined;
    const spec: InstanceSpec = {
      ...launch,
      ...(trial ? { trial } : {}),
      name: `${options.name}-${id.slice(0, 8)}`,
      codeDir,
      ports: [...(launch.ports ?? []), port],
      onOutput: (stream, line) => {
        if (!instance?.ended) recent.push(line);
        if (recent.length > OUTPUT_KEPT_FOR_ERRORS) recent.shift();
        const text = options.formatOutput ? options.formatOutput(line, stream, id) : line;
        if (text === undefined) return;
        for (const capture of instance?.captures ?? []) capture.push(text);
        options.logger.line(options.name, text, stream);
      },
    };
    const launchedAt = performance.now();
    instance = {
      id,
      port,
      engine: await engine.start(spec),
      agent: new Agent({ keepAlive: true, maxSockets: options.perInstanceConcurrency }),
      launchedAt,
      initDurationMs: 0,
      recent,
      ended: false,
      provider: launch.provider,
      captures: new Set(),
    };
    return instance;
  }

  /** Polls the readiness probe: InstanceStartError when it exits or does not listen in time. */
  private async ready(instance: ServedInstance): Promise<void> {
    const { options } = this;
    const deadline = Date.now() + options.startTimeoutMs;
    let exit: InstanceExit | undefined;
    void instance.engine.exited.then((value) => {
      exit = value;
    });
    // A port Docker publishes (an instance on a network of its own) is accepted by its proxy first.
    const published = options.engine.instanceListenHost === '0.0.0.0';
    const probe = () =>
      options.readiness.kind === 'tcp'
        ? accepts(instance.port, published ? 50 : 0)
        : answers(instance.port, options.readiness.path);
    while (!(await probe())) {
      // A debugger holding the instance (--inspect-brk) suspends the start deadline.
      if (exit || (Date.now() > deadline && !instance.engine.debugging?.())) {
        const why = exit
          ? `exited (${exit.signal ?? `code ${exit.code}`}) before listening on its port`
          : `did not listen on its port within ${options.startTimeoutMs / 1000} s`;
        throw new InstanceStartError(`${options.name}: the instance ${why}`, instance.recent);
      }
      await sleep(exit ? 0 : 15);
    }
    instance.initDurationMs = performance.now() - instance.launchedAt;
    this.instanceEvent(instance, 'started');
  }
}
