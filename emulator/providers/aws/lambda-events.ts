import {
  eventBase,
  type InstanceEvent,
  type InvocationEvent,
  type InvocationOutcome,
  servedBy,
} from '../../events/emulator-event';
import type { LambdaInvokeResult } from './lambda-function';

/** A Lambda invocation as the event stream and the console see it (emulator/events/). */
export function lambdaInvocationEvent(
  functionName: string,
  result: LambdaInvokeResult,
  facts: { startTime: Date; trigger: string | undefined; outcome: InvocationOutcome; memoryUsedMb?: number },
): InvocationEvent {
  return {
    ...eventBase(),
    type: 'invocation',
    requestId: result.requestId,
    provider: 'aws',
    function: functionName,
    trigger: facts.trigger ?? 'invoke',
    outcome: facts.outcome,
    ...(result.functionError ? { errorType: result.functionError.errorType } : {}),
    ...servedBy(result, facts.startTime, facts.memoryUsedMb),
    logs: result.logs,
    replayable: true,
  };
}

/** How an invocation that reached an instance ended. */
export function lambdaOutcome(kind: 'done' | 'timeout' | 'exit', functionError: boolean): InvocationOutcome {
  if (kind === 'timeout') return 'timeout';
  if (kind === 'exit') return 'crash';
  return functionError ? 'error' : 'success';
}

/** What a throttled invocation reports: no instance ran it. */
export function throttledResult(requestId: string): LambdaInvokeResult {
  return { requestId, payload: Buffer.alloc(0), cold: false, durationMs: 0, instanceId: '', logs: [] };
}

/** An execution environment started or stopped. */
export function lambdaInstanceEvent(
  functionName: string,
  instance: { id: string; initDurationMs: number },
  change: 'started' | 'stopped',
  reason?: string,
): InstanceEvent {
  return {
    ...eventBase(),
    type: 'instance',
    provider: 'aws',
    function: functionName,
    instanceId: instance.id,
    change,
    ...(change === 'started' ? { initDurationMs: instance.initDurationMs } : {}),
    ...(reason ? { reason } : {}),
  };
}
