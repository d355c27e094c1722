import type { Cloud } from '../../common/clouds';

/**
 * The emulator's machine-readable events, one JSON object each: the NDJSON of
 * `faasport emulate --log-format json`, the Server-Sent Events of `/__faasport/events`, the
 * testing API's `events()` and the console all carry these. `v` changes only when a field
 * changes meaning or goes away; new fields may appear within a version.
 */
export const EVENT_SCHEMA_VERSION = 1;

interface EventBase {
  v: typeof EVENT_SCHEMA_VERSION;
  /** ISO 8601, when the event happened (an invocation: when it ended). */
  time: string;
}

/** How an invocation ended, as the platform sees it. */
export type InvocationOutcome = 'success' | 'error' | 'timeout' | 'crash' | 'init-error' | 'throttled';

export interface InvocationEvent extends EventBase {
  type: 'invocation';
  requestId: string;
  provider: Cloud;
  function: string;
  /** What caused it: `http`, `invoke`, `schedule`, `replay`, a CloudEvent type, an Azure reason… */
  trigger: string;
  outcome: InvocationOutcome;
  /** The HTTP status the instance answered (HTTP-served functions). */
  status?: number;
  /** The cloud's error type, when it failed (`Unhandled`, `Sandbox.Timedout`…). */
  errorType?: string;
  startTime: string;
  durationMs: number;
  cold: boolean;
  /** Present on cold starts. */
  initDurationMs?: number;
  /** Empty when no instance ran it (throttled, init error). */
  instanceId: string;
  memoryUsedMb?: number;
  /** The lines logged during the invocation, as the cloud prints them. */
  logs: string[];
  /** Whether the console can replay it with an edited event (AWS invocations). */
  replayable: boolean;
}

export interface ReloadEvent extends EventBase {
  type: 'reload';
  provider: Cloud;
  function: string;
  outcome: 'reloaded' | 'failed';
  /** Zip digests (`sha256:…`) before and after; `after` is the one refused when it failed. */
  before?: string;
  after?: string;
  durationMs?: number;
  /** Why the new code was refused. */
  error?: string;
  /** `file:line` of the failure, when the runtime said. */
  location?: string;
}

export interface InstanceEvent extends EventBase {
  type: 'instance';
  provider: Cloud;
  function: string;
  instanceId: string;
  change: 'started' | 'stopped';
  /** On `started`. */
  initDurationMs?: number;
  /** On `stopped`: idle, recycled, timeout, crash, out of memory, exited, shutdown… */
  reason?: string;
}

export interface LogEvent extends EventBase {
  type: 'log';
  /** The function (or `faasport`) that printed it. */
  source: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type EmulatorEvent = InvocationEvent | ReloadEvent | InstanceEvent | LogEvent;

/** What an emitter gives beside the event, kept in memory only (never streamed): the event a replay sends again. */
export interface EventDetail {
  input?: Uint8Array;
}

/** The shared fields of a new event. */
export function eventBase(at = new Date()): EventBase {
  return { v: EVENT_SCHEMA_VERSION, time: at.toISOString() };
}

/** The part of an invocation event that says which instance ran it and what it cost. */
export function servedBy(
  instance: { cold: boolean; initDurationMs?: number; instanceId: string; durationMs: number },
  startTime: Date,
  memoryUsedMb: number | undefined,
): Pick<
  InvocationEvent,
  'startTime' | 'durationMs' | 'cold' | 'initDurationMs' | 'instanceId' | 'memoryUsedMb'
> {
  return {
    startTime: startTime.toISOString(),
    durationMs: instance.durationMs,
    cold: instance.cold,
    ...(instance.initDurationMs !== undefined ? { initDurationMs: instance.initDurationMs } : {}),
    instanceId: instance.instanceId,
    ...(memoryUsedMb !== undefined ? { memoryUsedMb } : {}),
  };
}
