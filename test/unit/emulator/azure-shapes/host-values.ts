import type {
  AzureFunctionApp,
  AzureInvocationInput,
  Binding,
} from '../../../../emulator/providers/azure/azure-app';
import type { TypedData } from '../../../../emulator/providers/azure/azure-http';
import type { AppTrigger } from '../../../../emulator/providers/azure/trigger-delivery';

/** What a worker makes of a typed value: strings as they are, JSON parsed (fromRpcTypedData). */
export function plain(value: TypedData | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.json !== undefined) return JSON.parse(value.json);
  if (value.string !== undefined) return value.string;
  return value.int ?? value.double ?? value.bytes;
}

/** A time as the Functions host serialises a trigger's DateTime(Offset) (Json.NET, UTC host). */
export const HOST_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

/** W3C traceparent. */
export const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A function app that records what it is asked to run and always succeeds. */
export function recordingTrigger(binding: Partial<Binding>): {
  target: AppTrigger;
  invocations: AzureInvocationInput[];
} {
  const invocations: AzureInvocationInput[] = [];
  const app = {
    name: 'app',
    invoke: async (input: AzureInvocationInput) => {
      invocations.push(input);
      return { kind: 'succeeded', outputData: [], facts: { cold: false, instanceId: 'i' } };
    },
  } as unknown as AzureFunctionApp;
  const trigger = { type: 'timerTrigger', direction: 'in', name: 'timer', ...binding } as Binding;
  return { target: { app, fn: { name: 'fn', bindings: { timer: trigger } }, trigger }, invocations };
}
