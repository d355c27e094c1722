import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Engine, EngineInstance, InstanceExit, InstanceSpec } from '../../engines/engine';
import type { EmulatorLogger } from '../../logger';
import { boundedRequest } from '../../pool/bounded-request';
import { InstancePool, type Lease, ThrottledError } from '../../pool/instance-pool';
import { functionArn, type LambdaFunctionConfig, lambdaEnvironment } from './lambda-environment';
import { lambdaInstanceEvent, lambdaInvocationEvent, lambdaOutcome, throttledResult } from './lambda-events';
import { endLine, reportLine, startLine, timeoutLine } from './lambda-logs';
import { OutputMarks } from './output-marks';
import { LambdaInitError, type LambdaOutcome, RuntimeApiServer } from './runtime-api';

/** Lambda's limit on how long init may take before the environment is discarded. */
const INIT_TIMEOUT_MS = 10_000;

/** How long an invocation's END waits for its output marks once the result is in. */
const OUTPUT_MARK_BOUND_MS = 2_000;

export interface LambdaFunctionOptions {
  config: LambdaFunctionConfig;
  /** Host folder with the unpacked code. */
  codeDir: string;
  engine: Engine;
  logger: EmulatorLogger;
  /** Reserved concurrency, or the emulator's default limit. */
  maxConcurrency: number;
  idleTimeoutMs: number;
}

export interface LambdaInvokeResult {
  requestId: string;
  /** What the function returned, or its error document. */
  payload: Buffer;
  /** Present when the invocation failed; `Unhandled` as the cloud reports it. */
  functionError?: { errorType: string };
  cold: boolean;
  /** Init duration of the instance when this invocation cold-started it. */
  initDurationMs?: number;
  durationMs: number;
  instanceId: string;
  /** The log lines of this invocation, START to REPORT (for `X-Amz-Log-Type: Tail`). */
  logs: string[];
}

type LambdaInstance = {
  id: string;
  api: RuntimeApiServer;
  engine: EngineInstance;
  /** When the engine was asked to start it: init duration counts from here. */
  launchedAt: number;
  initDurationMs: number;
  /** Lines of the invocation in progress, if any. */
  capture: string[] | undefined;
  marks: OutputMarks;
};

/** One Lambda function: a pool of execution environments behind the Runtime API. */
export class LambdaFunction {
  readonly arn: string;
  private readonly pool: InstancePool<LambdaInstance>;
  private provisioning = false;
  private codeDir: string;
  /** The container image instances start from (image artefacts); an id once pinned or rebuilt. */
  private image: string | undefined;

  constructor(private readonly options: LambdaFunctionOptions) {
    this.arn = functionArn(options.config);
    this.codeDir = options.codeDir;
    this.image = options.config.image;
    // Lambda throttles at its limit rather than queueing (no maxQueueWaitMs): 429 TooManyRequests.
    this.pool = new InstancePool<LambdaInstance>({
      name: options.config.name,
      maxInstances: options.maxConcurrency,
      idleTimeoutMs: options.idleTimeoutMs,
      launch: () => this.launch(),
      ready: (instance) => this.ready(instance),
      // Whatever waits on the Runtime API fails now, not when the instance is gone.
      detach: (instance) => instance.api.abort(new Error('instance retired')),
      dispose: (instance) => instance.api.close(),
      ended: (instance, reason) =>
        options.logger.event?.(lambdaInstanceEvent(this.name, instance, 'stopped', reason)),
    });
  }

  get name(): string {
    return this.options.config.name;
  }

  /** Runs one invocation: throws ThrottledError when at the concurrency limit. */
  async invoke(
    payload: Buffer,
    extras: {
      clientContext?: string;
      /** For the event stream: `http`, `schedule`… (default `invoke`). */
      trigger?: string;
      /** The id the caller already has: every attempt of an asynchronous invocation keeps its id. */
      requestId?: string;
    } = {},
  ): Promise<LambdaInvokeResult> {
    const requestId = extras.requestId ?? randomUUID();
    const startTime = new Date();
    let lease: Lease<LambdaInstance>;
    try {
      lease = await this.pool.acquire();
    } catch (error) {
      if (error instanceof LambdaInitError) {
        const failure = this.initFailure(requestId, error);
        this.invocationEvent(failure, payload, { startTime, trigger: extras.trigger, outcome: 'init-error' });
        return failure;
      }
      if (error instanceof ThrottledError) {
        const throttled = throttledResult(requestId);
        this.invocationEvent(throttled, payload, {
          startTime,
          trigger: extras.trigger,
          outcome: 'throttled',
        });
      }
      throw error;
    }
    const { instance, cold } = lease;
    const logs: string[] = [];
    instance.capture = logs;
    this.emit(instance, startLine(requestId));
    const started = performance.now();
    const timeoutSeconds = this.options.config.timeoutSeconds;
    let outcome: LambdaOutcome;

    const result = await boundedRequest(instance.engine, timeoutSeconds * 1000, () =>
      instance.api.invoke({
        requestId,
        payload,
        deadlineMs: Date.now() + timeoutSeconds * 1000,
        functionArn: this.arn,
        traceId: traceId(),
        ...(extras.clientContext ? { clientContext: extras.clientContext } : {}),
      }),
    ).catch((error: unknown) => {
      // The Runtime API was aborted: the pool is already ending this instance (shutdown).
      void this.pool.release(instance, 'crash');
      throw error;
    });

    if (result.kind === 'timeout') {
      this.emit(instance, timeoutLine(requestId, timeoutSeconds));
      outcome = errorOutcome(
        'Sandbox.Timedout',
        `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      );
    } else if (result.kind === 'exit') {
      outcome = exitOutcome(requestId, result.exit);
      this.emit(
        instance,
        `${new Date().toISOString()} ${requestId} ${JSON.parse(outcome.payload.toString()).errorMessage}`,
      );
    } else {
      outcome = result.value;
      if (outcome.outputMarked) await instance.marks.wait(requestId, OUTPUT_MARK_BOUND_MS);
    }
    const durationMs = performance.now() - started;
    this.emit(instance, endLine(requestId));
    this.emit(
      instance,
      reportLine({
        requestId,
        durationMs,
        memorySizeMb: this.options.config.memorySizeMb,
        maxMemoryUsedMb: instance.engine.peakMemoryMb(),
        ...(cold ? { initDurationMs: instance.initDurationMs } : {}),
      }),
    );
    instance.capture = undefined;
    // A discarded environment is gone before the caller hears of it.
    await this.pool.release(instance, result.kind === 'done' ? undefined : result.discard);
    const invoked: LambdaInvokeResult = {
      requestId,
      payload: outcome.payload,
      ...(outcome.type === 'function-error' ? { functionError: { errorType: outcome.errorType } } : {}),
      cold,
      ...(cold ? { initDurationMs: instance.initDurationMs } : {}),
      durationMs,
      instanceId: instance.id,
      logs,
    };
    this.invocationEvent(invoked, payload, {
      startTime,
      trigger: extras.trigger,
      outcome: lambdaOutcome(result.kind, outcome.type === 'function-error'),
      memoryUsedMb: instance.engine.peakMemoryMb(),
    });
    return invoked;
  }

  /** Hands the invocation to the event stream, with its input kept for a replay. */
  private invocationEvent(
    result: LambdaInvokeResult,
    input: Buffer,
    facts: Parameters<typeof lambdaInvocationEvent>[2],
  ): void {
    this.options.logger.event?.(lambdaInvocationEvent(this.name, result, facts), { input });
  }

  /** The next invocation cold-starts; busy instances finish first. */
  recycle(): void {
    this.pool.recycle();
  }

  /**
   * Starts a throw-away instance on new code to see whether it initialises: the init error
   * (syntax error, missing handler…) when it does not, undefined when it does.
   */
  tryCode(codeDir: string): Promise<LambdaInitError | undefined> {
    return this.tryInstance(codeDir, this.image);
  }

  /** As tryCode, for a rebuilt container image. */
  tryImage(image: string): Promise<LambdaInitError | undefined> {
    return this.tryInstance(this.codeDir, image);
  }

  private async tryInstance(
    codeDir: string,
    image: string | undefined,
  ): Promise<LambdaInitError | undefined> {
    try {
      const instance = await this.pool.startAside(() => this.launch(codeDir, image, true));
      // Retired in the background (close() still waits for it): the swap need not wait for the
      // trial's graceful stop (a container's teardown is ~120 ms; a handler that ignores SIGTERM
      // holds it 10 s).
      void this.pool
        .end(instance, 'trial')
        .catch((error: unknown) =>
          this.options.logger.line(
            this.name,
            `trial instance did not stop cleanly: ${(error as Error).message}`,
          ),
        );
      return undefined;
    } catch (error) {
      if (error instanceof LambdaInitError) return error;
      throw error;
    }
  }

  /** New code for the next cold starts: in-flight invocations finish on the old code. */
  updateCode(codeDir: string): void {
    this.codeDir = codeDir;
    this.pool.recycle();
  }

  /** A rebuilt image for the next cold starts: in-flight invocations finish on the old image. */
  updateImage(image: string): void {
    this.image = image;
    this.pool.recycle();
  }

  /**
   * Runs the image it runs now by its id from here on, so a rebuild that moves the tag reaches
   * no cold start before it has been tried. Instances already running are the same image.
   */
  pinImage(imageId: string): void {
    this.image = imageId;
  }

  /** Starts `count` environments ahead of traffic (`--warm eager`, provisioned concurrency). */
  async prewarm(count: number): Promise<void> {
    this.provisioning = true;
    try {
      await this.pool.prewarm(count);
    } finally {
      this.provisioning = false;
    }
  }

  stats(): { instances: number; busy: number; starting: number } {
    return this.pool.stats();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** Starts an environment's engine instance and its Runtime API; ready() waits for its init. */
  private async launch(codeDir = this.codeDir, image = this.image, trial = false): Promise<LambdaInstance> {
    const { config, engine } = this.options;
    const id = randomBytes(16).toString('hex');
    const api = new RuntimeApiServer();
    // Where the instance reaches this machine: loopback, or a Docker network's gateway.
    const address = await api.listen(await engine.hostForInstances?.());
    const paths = engine.paths({ codeDir });
    const initializationType = this.provisioning ? 'provisioned-concurrency' : 'on-demand';
    const instance: LambdaInstance = {
      id,
      api,
      engine: undefined as unknown as EngineInstance, // set right below, before anyone reads it
      launchedAt: 0,
      initDurationMs: 0,
      capture: undefined,
      marks: new OutputMarks(),
    };
    const spec: InstanceSpec = {
      ...(trial ? { trial } : {}),
      name: `${config.name}-${id.slice(0, 8)}`,
      labels: { 'org.faasport.function': config.name, 'org.faasport.provider': 'aws' },
      provider: 'aws',
      language: config.runtime.startsWith('python') ? 'python' : 'node',
      runtimeId: config.runtime,
      codeDir,
      ...(image ? { image } : {}),
      bootstrap: config.runtime.startsWith('python') ? 'aws/bootstrap.py' : 'aws/bootstrap.js',
      env: lambdaEnvironment(config, paths, address, initializationType, id),
      memoryMb: config.memorySizeMb,
      onOutput: (stream, line) => {
        if (!instance.marks.take(stream, line)) this.emit(instance, line, stream);
      },
    };
    instance.launchedAt = performance.now();
    try {
      instance.engine = await engine.start(spec);
    } catch (error) {
      await api.close();
      throw error;
    }
    return instance;
  }

  /** Waits for the runtime's first `next`: a LambdaInitError when init fails or takes too long. */
  private async ready(instance: LambdaInstance): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const initTimeout = new Promise<'timeout'>((resolve) => {
      // Suspended while a debugger holds the instance (--inspect-brk waits for one).
      const arm = () => {
        timer = setTimeout(
          () => (instance.engine.debugging?.() ? arm() : resolve('timeout')),
          INIT_TIMEOUT_MS,
        );
      };
      arm();
    });
    try {
      const ready = await Promise.race([
        instance.api.ready.then(() => 'ready' as const),
        instance.engine.exited,
        initTimeout,
      ]);
      if (ready === 'timeout') {
        throw new LambdaInitError(
          'Sandbox.Timedout',
          errorDocument('Sandbox.Timedout', `Init timed out after ${INIT_TIMEOUT_MS / 1000}.00 seconds`),
        );
      }
      if (ready !== 'ready') {
        const exit = exitOutcome(undefined, ready);
        throw new LambdaInitError(
          exit.type === 'function-error' ? exit.errorType : 'Runtime.ExitError',
          exit.payload,
        );
      }
    } finally {
      clearTimeout(timer);
    }
    instance.initDurationMs = performance.now() - instance.launchedAt;
    this.options.logger.event?.(lambdaInstanceEvent(this.name, instance, 'started'));
  }

  private initFailure(requestId: string, error: LambdaInitError): LambdaInvokeResult {
    const logs: string[] = [];
    const line = (text: string) => {
      logs.push(text);
      this.options.logger.line(this.name, text);
    };
    line(startLine(requestId));
    line(`${new Date().toISOString()} ${requestId} INIT_FAILED ${error.errorType}`);
    line(endLine(requestId));
    return {
      requestId,
      payload: error.payload,
      functionError: { errorType: error.errorType },
      cold: true,
      durationMs: 0,
      instanceId: '',
      logs,
    };
  }

  private emit(instance: LambdaInstance, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    instance.capture?.push(text);
    this.options.logger.line(this.name, text, stream);
  }
}

function errorDocument(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

function errorOutcome(errorType: string, errorMessage: string): LambdaOutcome {
  return { type: 'function-error', errorType, payload: errorDocument(errorType, errorMessage) };
}

/** What the cloud reports when the runtime process dies under an invocation. */
function exitOutcome(requestId: string | undefined, exit: InstanceExit): LambdaOutcome {
  const prefix = requestId ? `RequestId: ${requestId} ` : '';
  if (exit.outOfMemory) {
    return errorOutcome('Runtime.OutOfMemory', `${prefix}Error: Runtime exited with error: signal: killed`);
  }
  const how = exit.signal
    ? `signal: ${exit.signal.replace(/^SIG/, '').toLowerCase()}`
    : `exit status ${exit.code}`;
  return errorOutcome('Runtime.ExitError', `${prefix}Error: Runtime exited with error: ${how}`);
}

function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
