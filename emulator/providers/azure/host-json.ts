import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../../common/errors';

/** The parts of an app's host.json the emulator acts on, with the platform defaults. */
export interface HostSettings {
  /** `functionTimeout`; default the Consumption plan's 5 minutes. */
  functionTimeoutMs: number;
  /** `extensions.http.routePrefix` (default `api`). */
  routePrefix: string;
  /** `extensions.http.maxOutstandingRequests`: in flight + queued per host before 429 (default 200). */
  maxOutstandingRequests: number;
  /** `extensions.http.maxConcurrentRequests`: run at once per host (default 100, UNCONFIRMED). */
  maxConcurrentRequests: number;
  customHandler?: {
    executable: string;
    arguments: string[];
    workingDirectory?: string;
    enableForwardingHttpRequest: boolean;
  };
}

export const CONSUMPTION_TIMEOUT_MS = 5 * 60_000;

export async function readHostJson(scriptRoot: string): Promise<HostSettings> {
  const file = join(scriptRoot, 'host.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  let raw: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, {
        hint: 'Fix host.json; the Azure host refuses to start with it as it is.',
      });
    }
  }
  const http = record(record(raw.extensions).http);
  const custom = record(raw.customHandler);
  const description = record(custom.description);
  const settings: HostSettings = {
    functionTimeoutMs: parseTimeSpan(raw.functionTimeout, file) ?? CONSUMPTION_TIMEOUT_MS,
    routePrefix: typeof http.routePrefix === 'string' ? http.routePrefix.replace(/^\/+|\/+$/g, '') : 'api',
    maxOutstandingRequests: positive(http.maxOutstandingRequests) ?? 200,
    maxConcurrentRequests: positive(http.maxConcurrentRequests) ?? 100,
  };
  if (typeof description.defaultExecutablePath === 'string') {
    settings.customHandler = {
      executable: description.defaultExecutablePath,
      arguments: Array.isArray(description.arguments) ? description.arguments.map(String) : [],
      ...(typeof description.workingDirectory === 'string'
        ? { workingDirectory: description.workingDirectory }
        : {}),
      enableForwardingHttpRequest: custom.enableForwardingHttpRequest === true,
    };
  }
  return settings;
}

/** `hh:mm:ss` (or `d.hh:mm:ss`); `-1` means unbounded. */
function parseTimeSpan(value: unknown, file: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === '-1' || value === -1) return 0;
  const match =
    typeof value === 'string' ? /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(value) : null;
  if (!match) {
    throw new UserError(`${file}: functionTimeout "${String(value)}" is not a time span`, {
      hint: 'Write it as hh:mm:ss, e.g. "00:05:00".',
    });
  }
  const [, days, hours, minutes, seconds] = match;
  return ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
