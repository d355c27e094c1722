import type { GatewayResponse } from '../../gateway/gateway-response';
import type { ForwardedRequest } from '../../served/forward';
import type { AzureInvocationInput, RegisteredFunction } from './azure-app';
import type { TypedData } from './azure-http';

/** What one invocation gave back, whatever the worker. */
export interface WorkerReply {
  outputData: { name: string; data: TypedData }[];
  returnValue?: TypedData;
  /** A forwarded HTTP request's response, passed on as it is. */
  response?: GatewayResponse;
  error?: { message: string; stack?: string };
  /** Lines the worker returned with the result (custom handlers' `Logs`). */
  logs?: string[];
}

/**
 * How the emulated host talks to an app's worker process: which bootstrap starts it, how it
 * learns the app's functions, and how an invocation travels there and back.
 */
export interface WorkerProtocol {
  /** Bootstrap script under emulator/runtimes. */
  bootstrap: string;
  /** Variables naming the worker's port (and whatever else it needs). */
  env(port: number): Record<string, string>;
  /** The app's functions; `probe` starts a throw-away worker and GETs a path on it. */
  index(probe: (path?: string) => Promise<GatewayResponse | undefined>): Promise<RegisteredFunction[]>;
  /** The call that runs one invocation; `traceParent` is the invocation's W3C trace context. */
  request(
    input: AzureInvocationInput & { invocationId: string; traceParent: string },
    fn: RegisteredFunction,
  ): ForwardedRequest;
  reply(response: GatewayResponse, fn: RegisteredFunction): WorkerReply;
}
