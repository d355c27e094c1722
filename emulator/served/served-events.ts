import { randomBytes } from 'node:crypto';
import type { Cloud } from '../../common/clouds';
import { eventBase, type InstanceEvent, type InvocationEvent, servedBy } from '../events/emulator-event';
import type { GatewayResponse } from '../gateway/gateway-response';

/** What caused a request, for its event; the provider's own request id when it has one. */
export interface InvocationCause {
  trigger: string;
  requestId?: string;
}

/** How a request proxied to an instance ended (served-function.ts `ServedOutcome`). */
type Outcome = { kind: 'response'; response: GatewayResponse } | { kind: 'timeout' } | { kind: 'crash' };

/**
 * A request an instance served, as the event stream sees it. An instance serving several
 * requests at once gives each of them every line it printed meanwhile: output carries no id.
 */
export function servedInvocationEvent(
  who: { provider: Cloud; function: string; cause: InvocationCause },
  result: {
    outcome: Outcome;
    cold: boolean;
    initDurationMs?: number;
    instanceId: string;
    durationMs: number;
  },
  facts: { startTime: Date; logs: string[]; memoryUsedMb: number | undefined },
): InvocationEvent {
  const { outcome } = result;
  const status = outcome.kind === 'response' ? outcome.response.status : undefined;
  return {
    ...eventBase(),
    type: 'invocation',
    requestId: who.cause.requestId ?? randomBytes(8).toString('hex'),
    provider: who.provider,
    function: who.function,
    trigger: who.cause.trigger,
    outcome: outcome.kind === 'response' ? ((status ?? 200) >= 500 ? 'error' : 'success') : outcome.kind,
    ...(status !== undefined ? { status } : {}),
    ...servedBy(result, facts.startTime, facts.memoryUsedMb),
    logs: facts.logs,
    replayable: false,
  };
}

/** A request no instance served: throttled, or its cold start failed (its output as the logs). */
export function refusedInvocationEvent(
  who: { provider: Cloud; function: string; cause: InvocationCause },
  outcome: 'throttled' | 'init-error',
  startTime: Date,
  logs: string[],
): InvocationEvent {
  return {
    ...eventBase(),
    type: 'invocation',
    requestId: who.cause.requestId ?? randomBytes(8).toString('hex'),
    provider: who.provider,
    function: who.function,
    trigger: who.cause.trigger,
    outcome,
    startTime: startTime.toISOString(),
    durationMs: Date.now() - startTime.getTime(),
    cold: outcome === 'init-error',
    instanceId: '',
    logs,
    replayable: false,
  };
}

export function servedInstanceEvent(
  who: { provider: Cloud; function: string },
  instance: { id: string; initDurationMs: number },
  change: 'started' | 'stopped',
  reason?: string,
): InstanceEvent {
  return {
    ...eventBase(),
    type: 'instance',
    provider: who.provider,
    function: who.function,
    instanceId: instance.id,
    change,
    ...(change === 'started' ? { initDurationMs: instance.initDurationMs } : {}),
    ...(reason ? { reason } : {}),
  };
}
