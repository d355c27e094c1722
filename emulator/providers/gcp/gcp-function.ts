import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PROVIDED_MODULES } from '../../code/hosted-code';
import type { Engine } from '../../engines/engine';
import type { GatewayResponse } from '../../gateway/gateway-response';
import type { InvocationFacts } from '../../gateway/gateway-server';
import type { EmulatorLogger } from '../../logger';
import { ThrottledError } from '../../pool/instance-pool';
import type { ForwardedRequest } from '../../served/forward';
import { InstanceStartError, ServedFunction, type ServedResult } from '../../served/served-function';
import { GCP_RESPONSE_BYTES, gcpResponseTooLarge } from '../payload-limits';
import type { BinaryCloudEvent } from './cloud-events';
import { cloudRunRequestHeaders } from './cloud-run-headers';
import { outputLine, requestLine, startupProbeLine } from './gcp-logs';

export interface GcpFunctionConfig {
  /** Deployed name: the service name, the URL path, K_SERVICE. */
  name: string;
  /** functions-framework target (`gcp.entryPoint`). */
  entryPoint: string;
  signatureType: 'http' | 'cloudevent';
  /** Folder holding the function's package inside the code, relative to it ('' = the root). */
  source: string;
  runtime: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Requests one instance serves at once (gen2 default 1). */
  concurrency: number;
  maxInstances: number;
  /** How long a request waits for an instance at the limit before 429 (Cloud Run: 60 s, UNCONFIRMED exact). */
  queueTimeoutSeconds: number;
  environment: Record<string, string>;
}

export interface GcpFunctionOptions {
  config: GcpFunctionConfig;
  /** Hosted folder: the code plus the provided functions-framework. */
  codeDir: string;
  engine: Engine;
  logger: EmulatorLogger;
  idleTimeoutMs: number;
}

export interface GcpCallResult {
  response: GatewayResponse;
  facts?: InvocationFacts;
}

/** Cloud Run's answers when the platform, not the function, ends a request. */
const TIMEOUT_BODY = 'upstream request timeout';
const NO_INSTANCE_BODY = 'The request was aborted because there was no available instance.';
const CRASH_BODY =
  'The request failed because either the HTTP response was malformed or connection to the instance had an error.';

/** One Cloud Functions gen2 function: functions-framework instances behind the shared pool. */
export class GcpFunction {
  private readonly served: ServedFunction;
  private revision = 1;

  constructor(private readonly options: GcpFunctionOptions) {
    const { config } = options;
    this.served = new ServedFunction({
      name: config.name,
      engine: options.engine,
      logger: options.logger,
      codeDir: options.codeDir,
      readiness: { kind: 'tcp' },
      // Cloud Run counts start-up against the request timeout; a start that long is a failure.
      startTimeoutMs: config.timeoutSeconds * 1000,
      maxInstances: config.maxInstances,
      perInstanceConcurrency: config.concurrency,
      maxQueueWaitMs: config.queueTimeoutSeconds * 1000,
      idleTimeoutMs: options.idleTimeoutMs,
      launch: ({ port, paths }) => ({
        labels: { 'org.faasport.function': config.name, 'org.faasport.provider': 'gcp' },
        provider: 'gcp',
        language: 'node',
        runtimeId: config.runtime,
        bootstrap: 'gcp/bootstrap.js',
        memoryMb: config.memoryMb,
        env: {
          NODE_ENV: 'production',
          ...config.environment,
          PORT: String(port),
          FUNCTION_TARGET: config.entryPoint,
          FUNCTION_SIGNATURE_TYPE: config.signatureType,
          FUNCTION_SOURCE: config.source ? join(paths.taskRoot, config.source) : paths.taskRoot,
          K_SERVICE: config.name,
          K_REVISION: `${config.name}-${String(this.revision).padStart(5, '0')}-fsp`,
          K_CONFIGURATION: config.name,
          NODE_PATH: join(paths.taskRoot, PROVIDED_MODULES),
        },
      }),
      formatOutput: (line, stream) => outputLine(line, stream),
      // Cloud Run's words for a container that exits by itself.
      onExit: (exit) =>
        options.logger.line(
          config.name,
          outputLine(
            exit.outOfMemory
              ? `Memory limit of ${config.memoryMb} MiB exceeded. Consider increasing the memory limit.`
              : exit.code !== null
                ? `Container called exit(${exit.code}).`
                : `Container terminated on signal ${exit.signal ?? 'unknown'}.`,
            'stderr',
          ),
          'stderr',
        ),
    });
  }

  get name(): string {
    return this.options.config.name;
  }

  get config(): GcpFunctionConfig {
    return this.options.config;
  }

  /** Proxies one HTTP request (path relative to the function's URL) to an instance. */
  async handle(request: ForwardedRequest & { sourceIp: string }, url: string): Promise<GcpCallResult> {
    const headers: [string, string][] = [
      ...cloudRunRequestHeaders(request.headers, request.sourceIp),
      ['function-execution-id', randomBytes(6).toString('base64url')],
    ];
    return this.call({ ...request, headers }, url, 'http');
  }

  /** Delivers a CloudEvent in binary mode, as Eventarc pushes it. */
  deliver(event: BinaryCloudEvent): Promise<GcpCallResult> {
    return this.call(
      {
        method: 'POST',
        path: '/',
        headers: [
          ...event.headers,
          ['user-agent', 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)'],
        ],
        body: event.body,
      },
      `/${this.name} (${event.type})`,
      event.type,
    );
  }

  recycle(): void {
    this.served.recycle();
  }

  updateCode(codeDir: string): void {
    this.revision += 1;
    this.served.updateCode(codeDir);
  }

  /** Undefined when the code starts and listens; else the start failure with the instance's output. */
  async tryCode(codeDir: string): Promise<InstanceStartError | undefined> {
    try {
      await this.served.probe(undefined, codeDir);
      return undefined;
    } catch (error) {
      if (error instanceof InstanceStartError) return error;
      throw error;
    }
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

  private async call(message: ForwardedRequest, url: string, trigger: string): Promise<GcpCallResult> {
    const { config, logger } = this.options;
    let result: ServedResult;
    try {
      result = await this.served.send(message, {
        timeoutMs: config.timeoutSeconds * 1000,
        limit: { bytes: GCP_RESPONSE_BYTES, tooLarge: gcpResponseTooLarge },
        invocation: { trigger },
        // The framework answers an uncaught exception with this header, then exits (code 16); an
        // error inside a request's own domain gets the same answer and the instance lives on.
        exitAnnounced: (response) =>
          response.headers.some(([k, v]) => k.toLowerCase() === 'x-google-status' && v === 'crash'),
      });
    } catch (error) {
      if (error instanceof ThrottledError) {
        const response = textResponse(429, NO_INSTANCE_BODY);
        logger.line(
          config.name,
          requestLine({
            method: message.method,
            status: 429,
            bytes: response.body.length,
            durationMs: 0,
            url,
          }),
        );
        return { response };
      }
      if (error instanceof InstanceStartError) {
        for (const line of error.output) logger.line(config.name, outputLine(line, 'stderr'), 'stderr');
        logger.line(config.name, outputLine(error.message, 'stderr'), 'stderr');
        return { response: textResponse(500, 'The service failed to start: see the logs.') };
      }
      throw error;
    }
    if (result.cold)
      logger.line(config.name, startupProbeLine(result.instanceId, result.initDurationMs ?? 0));
    const response = this.responseOf(result);
    logger.line(
      config.name,
      requestLine({
        method: message.method,
        status: response.status,
        bytes: response.body.length,
        durationMs: result.durationMs,
        url,
      }),
      response.status >= 500 ? 'stderr' : 'stdout',
    );
    return {
      response,
      facts: {
        cold: result.cold,
        instanceId: result.instanceId,
        ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
      },
    };
  }

  private responseOf(result: ServedResult): GatewayResponse {
    const { outcome } = result;
    if (outcome.kind === 'response') return outcome.response;
    if (outcome.kind === 'timeout') {
      this.options.logger.line(
        this.name,
        outputLine(
          `The request has been terminated because it has reached the maximum request timeout (${this.options.config.timeoutSeconds} s).`,
          'stderr',
        ),
        'stderr',
      );
      return textResponse(504, TIMEOUT_BODY);
    }
    const how = outcome.exit ? (outcome.exit.signal ?? `exit code ${outcome.exit.code}`) : 'connection lost';
    this.options.logger.line(
      this.name,
      outputLine(`Instance terminated (${how}) while serving a request.`, 'stderr'),
      'stderr',
    );
    return textResponse(503, CRASH_BODY);
  }
}

function textResponse(status: number, text: string): GatewayResponse {
  return { status, headers: [['content-type', 'text/plain; charset=utf-8']], body: Buffer.from(text) };
}
