import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody as readBody } from '../../../common/http/body';

/** Cloud limit for a synchronous response payload (Runtime API `/response`). */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface LambdaInvocation {
  requestId: string;
  payload: Buffer;
  /** Unix epoch milliseconds. */
  deadlineMs: number;
  functionArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
}

/** How an invocation ended, as the runtime reported it. */
export type LambdaOutcome = (
  | { type: 'response'; payload: Buffer }
  | { type: 'function-error'; errorType: string; payload: Buffer }
) & {
  /** The runtime ended this invocation's output with mark lines (faasport's runtime clients do). */
  outputMarked?: boolean;
};

/** The runtime reported `/runtime/init/error`: the environment never became ready. */
export class LambdaInitError extends Error {
  constructor(
    readonly errorType: string,
    readonly payload: Buffer,
  ) {
    super(`init error ${errorType}`);
  }
}

type Pending = {
  invocation: LambdaInvocation;
  resolve(outcome: LambdaOutcome): void;
  reject(error: Error): void;
};

/**
 * The Lambda Runtime API (2018-06-01) for ONE execution environment. Each instance gets its own
 * server on an ephemeral loopback port, so requests need no routing and a misbehaving runtime
 * cannot touch another instance's invocation.
 */
export class RuntimeApiServer {
  private readonly server: Server;
  private waitingNext: ServerResponse | undefined;
  private queued: Pending | undefined;
  private inFlight: Pending | undefined;
  private readyResolve!: () => void;
  private readyReject!: (error: Error) => void;
  /** Resolves when the runtime first asks for work (init done); rejects on an init error. */
  readonly ready: Promise<void>;

  constructor(private readonly maxResponseBytes = MAX_RESPONSE_BYTES) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) reply(res, 500, { errorType: 'ServiceException', errorMessage: String(error) });
      });
    });
    this.server.keepAliveTimeout = 0;
  }

  async listen(host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return `${host}:${port}`;
  }

  /** Hands an event to the runtime; resolves with what the runtime posted back. */
  invoke(invocation: LambdaInvocation): Promise<LambdaOutcome> {
    if (this.inFlight || this.queued) {
      return Promise.reject(new Error('execution environment is busy: one invocation at a time'));
    }
    return new Promise<LambdaOutcome>((resolve, reject) => {
      this.queued = { invocation, resolve, reject };
      this.dispatch();
    });
  }

  /** Fails whatever is pending (the instance died or timed out). */
  abort(error: Error): void {
    for (const pending of [this.queued, this.inFlight]) pending?.reject(error);
    this.queued = undefined;
    this.inFlight = undefined;
    this.readyReject(error);
  }

  async close(): Promise<void> {
    this.waitingNext?.destroy();
    this.waitingNext = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dispatch(): void {
    if (!this.waitingNext || !this.queued) return;
    const res = this.waitingNext;
    const pending = this.queued;
    this.waitingNext = undefined;
    this.queued = undefined;
    this.inFlight = pending;
    const { invocation } = pending;
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': invocation.payload.length,
      'lambda-runtime-aws-request-id': invocation.requestId,
      'lambda-runtime-deadline-ms': invocation.deadlineMs,
      'lambda-runtime-invoked-function-arn': invocation.functionArn,
      'lambda-runtime-trace-id': invocation.traceId,
    };
    if (invocation.clientContext) headers['lambda-runtime-client-context'] = invocation.clientContext;
    if (invocation.cognitoIdentity) headers['lambda-runtime-cognito-identity'] = invocation.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(invocation.payload);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    const prefix = '/2018-06-01/runtime/';
    if (!url.startsWith(prefix)) return reply(res, 404, { errorType: 'NotFound', errorMessage: url });
    const rest = url.slice(prefix.length);

    if (req.method === 'GET' && rest === 'invocation/next') {
      if (this.inFlight) {
        return reply(res, 403, {
          errorType: 'InvalidStateTransition',
          errorMessage: 'previous invocation not finished',
        });
      }
      this.waitingNext = res;
      res.on('close', () => {
        if (this.waitingNext === res) this.waitingNext = undefined;
      });
      this.readyResolve();
      this.dispatch();
      return;
    }
    if (req.method === 'POST' && rest === 'init/error') {
      const body = await readBody(req, this.maxResponseBytes);
      const errorType = headerValue(req, 'lambda-runtime-function-error-type') ?? 'Runtime.Unknown';
      this.readyReject(new LambdaInitError(errorType, body ?? Buffer.alloc(0)));
      return reply(res, 202, { status: 'OK' });
    }
    const match = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
    if (req.method === 'POST' && match) {
      const [, requestId, kind] = match;
      const pending = this.inFlight;
      if (!pending || pending.invocation.requestId !== decodeURIComponent(requestId ?? '')) {
        return reply(res, 400, {
          errorType: 'InvalidRequestID',
          errorMessage: 'unknown or finished request id',
        });
      }
      const mode = headerValue(req, 'lambda-runtime-function-response-mode');
      if (kind === 'response' && mode && mode !== 'streaming') {
        return reply(res, 400, { errorType: 'InvalidFunctionResponseMode', errorMessage: mode });
      }
      const body = await readBody(req, this.maxResponseBytes);
      this.inFlight = undefined;
      if (body === undefined) {
        const message = `Exceeded maximum allowed payload size (${this.maxResponseBytes} bytes).`;
        pending.resolve({
          type: 'function-error',
          errorType: 'Function.ResponseSizeTooLarge',
          // The caller is told in Lambda's words; the runtime gets the Runtime API's 413 below.
          payload: Buffer.from(
            JSON.stringify({
              errorType: 'Function.ResponseSizeTooLarge',
              errorMessage: `Response payload size exceeded maximum allowed payload size (${this.maxResponseBytes} bytes).`,
            }),
          ),
        });
        return reply(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: message });
      }
      const marked = headerValue(req, 'x-faasport-output-mark') ? { outputMarked: true } : {};
      if (kind === 'response') {
        pending.resolve({ type: 'response', payload: body, ...marked });
      } else {
        const errorType = headerValue(req, 'lambda-runtime-function-error-type') ?? 'Unhandled';
        pending.resolve({ type: 'function-error', errorType, payload: body, ...marked });
      }
      return reply(res, 202, { status: 'OK' });
    }
    return reply(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${url}` });
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}
