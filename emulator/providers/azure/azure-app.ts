import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../../../common/errors';
import { PROVIDED_MODULES } from '../../code/hosted-code';
import type { Engine } from '../../engines/engine';
import type { GatewayResponse } from '../../gateway/gateway-response';
import type { InvocationFacts } from '../../gateway/gateway-server';
import type { GatewayRequest } from '../../gateway/http-request';
import type { EmulatorLogger } from '../../logger';
import { ThrottledError } from '../../pool/instance-pool';
import { InstanceStartError, ServedFunction } from '../../served/served-function';
import type { TypedData } from './azure-http';
import type { HostSettings } from './host-json';
import { invocationTraceParent } from './trace-context';
import type { WorkerProtocol } from './worker-protocol';

/** One binding of a registered function, as `@azure/functions` describes it. */
export interface Binding {
  type: string;
  direction: 'in' | 'out' | 'inout';
  name?: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
  runOnStartup?: boolean;
  queueName?: string;
  path?: string;
  connection?: string;
  [key: string]: unknown;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, Binding>;
}

export interface AzureAppConfig {
  /** The function app's name (the serverless function's deployed name). */
  name: string;
  /** Folder of host.json and the entry script, relative to the code root ('' = the root). */
  scriptRoot: string;
  /** How the host talks to this app's workers: the Node v4 worker or a custom handler. */
  protocol: WorkerProtocol;
  runtime: string;
  memoryMb: number;
  host: HostSettings;
  /** Hosts (scale-out instances); locally one, like `func start`. */
  maxHosts: number;
  environment: Record<string, string>;
}

export interface AzureInvocationInput {
  functionName: string;
  inputData: { name: string; data: TypedData }[];
  triggerMetadata?: Record<string, TypedData>;
  /** For the `Executing … (Reason='…')` line. */
  reason: string;
  /** The original request, for HTTP triggers. */
  httpRequest?: GatewayRequest;
}

export type AzureInvocationResult =
  | {
      kind: 'succeeded';
      outputData: { name: string; data: TypedData }[];
      returnValue?: TypedData;
      /** The handler's own HTTP response (a custom handler with request forwarding). */
      response?: GatewayResponse;
      facts: InvocationFacts;
    }
  | { kind: 'failed'; message: string; facts?: InvocationFacts }
  | { kind: 'timeout'; facts: InvocationFacts }
  | { kind: 'throttled' };

/**
 * One Azure function app: hosts (a Node v4 worker, or a custom handler, per the protocol)
 * behind the shared pool, many invocations per host at once, `maxOutstandingRequests` beyond which
 * the host answers 429, and `functionTimeout`, past which the host is restarted.
 */
export class AzureFunctionApp {
  private readonly served: ServedFunction;
  private registered: RegisteredFunction[] = [];
  private outstanding = 0;

  constructor(
    private readonly config: AzureAppConfig,
    private readonly options: {
      engine: Engine;
      logger: EmulatorLogger;
      codeDir: string;
      idleTimeoutMs: number;
    },
  ) {
    this.served = new ServedFunction({
      name: config.name,
      engine: options.engine,
      logger: options.logger,
      codeDir: options.codeDir,
      readiness: { kind: 'tcp' },
      // The host gives a worker (or a custom handler) 60 s to start.
      startTimeoutMs: 60_000,
      maxInstances: config.maxHosts,
      perInstanceConcurrency: config.host.maxConcurrentRequests,
      // Queued requests are bounded by maxOutstandingRequests, not by time.
      maxQueueWaitMs: config.host.functionTimeoutMs || 3_600_000,
      idleTimeoutMs: options.idleTimeoutMs,
      launch: ({ port, paths }) => ({
        labels: { 'org.faasport.function': config.name, 'org.faasport.provider': 'azure' },
        provider: 'azure',
        language: 'node',
        runtimeId: config.runtime,
        bootstrap: config.protocol.bootstrap,
        memoryMb: config.memoryMb,
        env: {
          ...config.environment,
          FUNCTIONS_EXTENSION_VERSION: '~4',
          WEBSITE_SITE_NAME: config.name,
          AzureWebJobsScriptRoot: config.scriptRoot
            ? join(paths.taskRoot, config.scriptRoot)
            : paths.taskRoot,
          NODE_PATH: join(paths.taskRoot, PROVIDED_MODULES),
          ...config.protocol.env(port),
        },
      }),
      formatOutput: (line) => stamped(line),
      onExit: (exit) =>
        options.logger.line(
          config.name,
          stamped(`Language Worker Process exited. Exit code: ${exit.code ?? exit.signal}.`),
          'stderr',
        ),
    });
  }

  get name(): string {
    return this.config.name;
  }

  get host(): HostSettings {
    return this.config.host;
  }

  get functions(): RegisteredFunction[] {
    return this.registered;
  }

  /**
   * Learns what the app registers by starting a host once (the real host indexes at start-up
   * too), then stops it so that the first request is still a cold start.
   */
  async index(): Promise<void> {
    try {
      this.registered = await this.indexCode();
    } catch (error) {
      if (error instanceof InstanceStartError) {
        throw new UserError(
          `${this.name}: the Azure host did not start: ${error.message}\n${error.output.join('\n')}`,
          { hint: 'Check azure.entryPoint (or host.json customHandler) and that it starts on this machine.' },
        );
      }
      throw error;
    }
  }

  async invoke(input: AzureInvocationInput): Promise<AzureInvocationResult> {
    const { logger, name } = { logger: this.options.logger, name: this.name };
    if (this.outstanding >= this.config.host.maxOutstandingRequests) return { kind: 'throttled' };
    this.outstanding += 1;
    const id = randomUUID();
    const started = Date.now();
    const fn = `Functions.${input.functionName}`;
    logger.line(name, stamped(`Executing '${fn}' (Reason='${input.reason}', Id=${id})`));
    const finish = (outcome: 'Succeeded' | 'Failed') =>
      logger.line(
        name,
        stamped(`Executed '${fn}' (${outcome}, Id=${id}, Duration=${Date.now() - started}ms)`),
        outcome === 'Failed' ? 'stderr' : 'stdout',
      );
    const registered = this.registered.find((f) => f.name === input.functionName);
    try {
      if (!registered) throw new Error(`${name} has no function ${input.functionName}`);
      const result = await this.served.send(
        this.config.protocol.request(
          { ...input, invocationId: id, traceParent: invocationTraceParent(input.httpRequest?.headers) },
          registered,
        ),
        {
          timeoutMs: this.config.host.functionTimeoutMs || 2 ** 31 - 1,
          invocation: { trigger: input.reason, requestId: id },
        },
      );
      const facts: InvocationFacts = {
        cold: result.cold,
        instanceId: result.instanceId,
        ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
      };
      const { outcome } = result;
      if (outcome.kind === 'timeout') {
        logger.line(
          name,
          stamped(
            `Timeout value of ${timeSpan(this.config.host.functionTimeoutMs)} exceeded by function '${fn}' (Id: '${id}'). Initiating cancellation.`,
          ),
          'stderr',
        );
        finish('Failed');
        return { kind: 'timeout', facts };
      }
      if (outcome.kind === 'crash') {
        finish('Failed');
        return { kind: 'failed', message: 'The language worker exited during the invocation.', facts };
      }
      const reply = this.config.protocol.reply(outcome.response, registered);
      for (const line of reply.logs ?? []) logger.line(name, stamped(line));
      if (reply.error) {
        logger.line(
          name,
          stamped(`Executed '${fn}' failed: ${reply.error.stack ?? reply.error.message}`),
          'stderr',
        );
        finish('Failed');
        return { kind: 'failed', message: reply.error.message, facts };
      }
      finish('Succeeded');
      return {
        kind: 'succeeded',
        outputData: reply.outputData ?? [],
        ...(reply.response ? { response: reply.response } : {}),
        ...(reply.returnValue !== undefined && reply.returnValue !== null
          ? { returnValue: reply.returnValue }
          : {}),
        facts,
      };
    } catch (error) {
      if (error instanceof ThrottledError) return { kind: 'throttled' };
      if (error instanceof InstanceStartError) {
        for (const line of error.output) logger.line(name, stamped(line), 'stderr');
        finish('Failed');
        return { kind: 'failed', message: error.message };
      }
      throw error;
    } finally {
      this.outstanding -= 1;
    }
  }

  recycle(): void {
    this.served.recycle();
  }

  /**
   * What the app registers when it runs `codeDir` (default: the current code), learnt from a
   * throw-away host. Throws InstanceStartError, or a UserError when the entry script fails to load.
   */
  indexCode(codeDir?: string): Promise<RegisteredFunction[]> {
    return this.config.protocol.index((path) => this.served.probe(path, codeDir));
  }

  /** New code, and the functions it registers, for the next cold starts. */
  updateCode(codeDir: string, registered: RegisteredFunction[]): void {
    this.registered = registered;
    this.served.updateCode(codeDir);
  }

  async prewarm(count: number): Promise<void> {
    await this.served.prewarm(count);
  }

  stats(): { instances: number; busy: number; starting: number } {
    return this.served.stats();
  }

  close(): Promise<void> {
    return this.served.close();
  }
}

/** The host's console lines start with the UTC time in brackets. */
export function stamped(text: string, now = new Date()): string {
  return `[${now.toISOString()}] ${text}`;
}

function timeSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}
