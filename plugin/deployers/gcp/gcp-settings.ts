import { UserError } from '../../../common/errors';
import { gcpTriggers } from '../../../common/service/gcp-triggers';
import {
  environmentFor,
  type ServiceModel,
  settingFor,
  settingWithPath,
} from '../../../common/service/service-model';
import type { DeployUnit } from '../../planner/deploy-units';
import type { SettingValue } from '../../planner/diff';

/** What serverless.yml asks of one Cloud Functions gen2 function, in the API's terms. */
export interface GcpSettings {
  runtime: string;
  entryPoint: string;
  /** MiB, written as `<n>Mi` in availableMemory. */
  memoryMib: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  serviceAccount: string | undefined;
  trigger: GcpTriggerSpec;
  description: string;
}

export type GcpTriggerSpec =
  | { kind: 'http' }
  | { kind: 'pubsub'; topic: string }
  | { kind: 'storage'; bucket: string; event: string };

/** Cloud Functions gen2 limits (cloud.google.com/functions/docs/configuring). */
const LIMITS = { memory: [128, 32_768], httpTimeout: 3600, eventTimeout: 540 } as const;
/** Names Cloud Run / the functions framework set themselves. */
const RESERVED_ENV = new Set([
  'PORT',
  'K_SERVICE',
  'K_REVISION',
  'K_CONFIGURATION',
  'FUNCTION_TARGET',
  'FUNCTION_SIGNATURE_TYPE',
]);
const GCP_RUNTIME = /^(nodejs|python|go|java|ruby|php|dotnet)\d+$/;
/** Oldest Node.js major still deployable (nodejs20 was decommissioned on 2026-10-30). */
const OLDEST_NODE = 22;

function bad(model: ServiceModel, path: string, message: string, hint?: string): UserError {
  return new UserError(`${model.configFile}: ${path} ${message}`, { ...(hint ? { hint } : {}), exitCode: 2 });
}

/**
 * A Serverless runtime id as Cloud Functions names it: `nodejs22.x` → `nodejs22`, `python3.12` →
 * `python312`, `ruby3.3` → `ruby33`; ids already in that form (a `gcp.runtime` override) pass.
 * Undefined when Cloud Functions has no such runtime (`provided.al2023`).
 */
export function gcpRuntime(runtime: string): string | undefined {
  const node = /^nodejs(\d+)(?:\.x)?$/.exec(runtime);
  if (node) return `nodejs${node[1]}`;
  const dotted = /^(python|ruby|php)(\d+)\.(\d+)$/.exec(runtime);
  if (dotted) return `${dotted[1]}${dotted[2]}${dotted[3]}`;
  return GCP_RUNTIME.test(runtime) ? runtime : undefined;
}

function runtimeFor(model: ServiceModel, unit: DeployUnit): string {
  const found = settingWithPath(model, unit.fn, 'gcp', 'runtime');
  const written = typeof found?.value === 'string' ? found.value : unit.fn.runtime;
  const path = found?.path ?? `functions.${unit.fn.key}.runtime`;
  const runtime = gcpRuntime(written);
  if (!runtime) {
    throw bad(
      model,
      path,
      `is ${written}, which Google Cloud Functions does not offer`,
      'Use a language runtime (nodejs22.x, python3.12, …), or set functions.<name>.gcp.runtime to a Cloud Functions runtime id (nodejs22, python312, go123, java21, …).',
    );
  }
  const node = /^nodejs(\d+)$/.exec(runtime);
  if (node && Number(node[1]) < OLDEST_NODE) {
    throw bad(
      model,
      path,
      `is ${written}: Cloud Functions no longer deploys Node.js ${node[1]}`,
      `Use nodejs${OLDEST_NODE}.x or later.`,
    );
  }
  return runtime;
}

function triggerFor(model: ServiceModel, unit: DeployUnit): GcpTriggerSpec {
  const triggers = gcpTriggers(unit.fn);
  if (triggers.length > 1) {
    throw bad(
      model,
      `functions.${unit.fn.key}.events`,
      `has ${triggers.length} Pub/Sub or Storage events; a Cloud Functions gen2 function has at most one event trigger`,
      'Split it into one function per trigger.',
    );
  }
  const [trigger] = triggers;
  if (!trigger) return { kind: 'http' };
  return trigger.kind === 'pubsub'
    ? { kind: 'pubsub', topic: trigger.topic }
    : { kind: 'storage', bucket: trigger.bucket, event: trigger.event };
}

function numberSetting(
  model: ServiceModel,
  unit: DeployUnit,
  key: string,
  fallback: number,
  range: readonly [number, number],
  what: string,
): number {
  const found = settingWithPath(model, unit.fn, 'gcp', key);
  const value = found === undefined ? fallback : found.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw bad(
      model,
      found?.path ?? key,
      `is ${JSON.stringify(value)}; Cloud Functions gen2 accepts a whole number from ${range[0]} to ${range[1]} ${what}`,
    );
  }
  return value;
}

/** Settings of one function on Cloud Functions gen2; throws naming the serverless.yml path when out of bounds. */
export function gcpSettings(model: ServiceModel, unit: DeployUnit): GcpSettings {
  const { fn } = unit;
  const handler = fn.handler ?? '';
  const entryPoint =
    settingFor<string | undefined>(model, fn, 'gcp', 'entryPoint', undefined) ??
    (handler.includes('.') ? handler.slice(handler.lastIndexOf('.') + 1) : undefined);
  if (!entryPoint) {
    throw bad(
      model,
      `functions.${fn.key}.gcp.entryPoint`,
      'is missing: Cloud Functions needs the exported function name (or a handler written file.export)',
    );
  }
  const trigger = triggerFor(model, unit);
  const environment = environmentFor(model, fn, 'gcp');
  for (const key of Object.keys(environment)) {
    if (RESERVED_ENV.has(key) || key.startsWith('X_GOOGLE_')) {
      throw bad(
        model,
        `functions.${fn.key}.environment.${key}`,
        'is reserved by Cloud Functions',
        'Rename the variable.',
      );
    }
  }
  const serviceAccount = settingFor<string | undefined>(model, fn, 'gcp', 'serviceAccount', undefined);
  return {
    runtime: runtimeFor(model, unit),
    entryPoint,
    memoryMib: numberSetting(model, unit, 'memorySize', fn.memorySize, LIMITS.memory, 'MB'),
    timeoutSeconds: numberSetting(
      model,
      unit,
      'timeout',
      fn.timeout,
      [1, trigger.kind === 'http' ? LIMITS.httpTimeout : LIMITS.eventTimeout],
      `seconds for ${trigger.kind === 'http' ? 'HTTP' : 'event-driven'} functions`,
    ),
    environment,
    serviceAccount,
    trigger,
    description: fn.description ?? '',
  };
}

/** `http`, `pubsub:projects/p/topics/t`, `storage:finalized:bucket`: one comparable string. */
export function triggerKey(trigger: GcpTriggerSpec, project: string): string {
  if (trigger.kind === 'http') return 'http';
  if (trigger.kind === 'pubsub') return `pubsub:projects/${project}/topics/${trigger.topic}`;
  return `storage:${trigger.event}:${trigger.bucket}`;
}

/** The settings the diff compares; names are what the plan prints as drifted. */
export function comparableSettings(settings: GcpSettings, project: string): Record<string, SettingValue> {
  return {
    Runtime: settings.runtime,
    EntryPoint: settings.entryPoint,
    Memory: settings.memoryMib,
    Timeout: settings.timeoutSeconds,
    Environment: settings.environment,
    Description: settings.description,
    Trigger: triggerKey(settings.trigger, project),
    // Unset means the project's default account, which the API fills in: nothing to compare.
    ...(settings.serviceAccount ? { ServiceAccount: settings.serviceAccount } : {}),
  };
}
