import { UserError } from '../../../common/errors';
import type { RegisteredFunction } from './azure-app';
import { decodeWire, encodeWire } from './wire';
import type { WorkerProtocol, WorkerReply } from './worker-protocol';

/**
 * The Node v4 programming model: faasport's worker (emulator/runtimes/azure/worker.js) loads the
 * entry script, reports what `app.*` registered, and runs invocations through @azure/functions.
 */
export function nodeWorkerProtocol(appName: string, entry: string): WorkerProtocol {
  return {
    bootstrap: 'azure/worker.js',
    env: (port) => ({ PORT: String(port), FUNCTIONS_WORKER_RUNTIME: 'node', FAASPORT_AZURE_ENTRY: entry }),
    async index(probe) {
      const answer = await probe('/__faasport/azure/functions');
      const index = decodeWire<{
        functions?: RegisteredFunction[];
        loadError?: { message: string; stack?: string };
      }>(answer?.body.toString('utf8') ?? '{}');
      if (index.loadError) {
        throw new UserError(
          `${appName}: the Azure worker could not load ${entry}: ${index.loadError.message}`,
          {
            hint: 'The entry script must load with node and register functions with @azure/functions v4 (app.http, app.timer…).',
            // The worker's error document: its stack names the place in the code (hot reload reports it).
            cause: index.loadError,
          },
        );
      }
      return index.functions ?? [];
    },
    request(input) {
      return {
        method: 'POST',
        path: '/__faasport/azure/invoke',
        headers: [['content-type', 'application/json']],
        body: Buffer.from(
          encodeWire({
            functionName: input.functionName,
            invocationId: input.invocationId,
            inputData: input.inputData,
            triggerMetadata: input.triggerMetadata ?? {},
            // InvocationRequest.trace_context.trace_parent: the worker's context.traceContext.
            traceParent: input.traceParent,
          }),
        ),
      };
    },
    reply(response) {
      const reply = decodeWire<Partial<WorkerReply>>(response.body.toString('utf8'));
      return {
        outputData: reply.outputData ?? [],
        ...(reply.returnValue !== undefined && reply.returnValue !== null
          ? { returnValue: reply.returnValue }
          : {}),
        ...(reply.error ? { error: reply.error } : {}),
      };
    },
  };
}
