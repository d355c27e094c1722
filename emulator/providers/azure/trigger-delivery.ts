import type { AzureFunctionApp, Binding, RegisteredFunction } from './azure-app';
import type { TriggerPayload } from './trigger-payloads';

/** What one trigger delivery did. */
export interface TriggerDelivery {
  app: string;
  function: string;
  outcome: 'succeeded' | 'failed' | 'timeout' | 'throttled';
  /** Attempts made (queue messages are retried up to maxDequeueCount times). */
  attempts: number;
  message?: string;
}

/** A function of an app, with the trigger it registered. */
export interface AppTrigger {
  app: AzureFunctionApp;
  fn: RegisteredFunction;
  trigger: Binding;
}

/** Every registered function whose trigger is of `type` (lower case) and matches. */
export type FindTriggered = (type: string, match: (binding: Binding) => boolean) => AppTrigger[];

/** A function's trigger binding (the one whose type ends in "Trigger"), named. */
export function triggerOf(fn: RegisteredFunction): Binding | undefined {
  for (const [name, binding] of Object.entries(fn.bindings)) {
    if (/trigger$/i.test(binding.type)) return { ...binding, name: binding.name ?? name };
  }
  return undefined;
}

/** One invocation of a triggered function with the trigger's payload, as the host logs it (`reason`). */
export async function deliver(
  { app, fn, trigger }: AppTrigger,
  payload: TriggerPayload,
  reason: string,
): Promise<TriggerDelivery> {
  const result = await app.invoke({
    functionName: fn.name,
    inputData: [{ name: trigger.name ?? 'trigger', data: payload.data }],
    triggerMetadata: payload.metadata,
    reason,
  });
  return {
    app: app.name,
    function: fn.name,
    outcome: result.kind,
    attempts: 1,
    ...(result.kind === 'failed' ? { message: result.message } : {}),
  };
}
