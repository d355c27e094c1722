import { invalidArgument } from './gcp-errors';

type Json = Record<string, unknown>;

/** Top-level Function fields a client may write; the rest are output only (or immutable). */
export const UPDATABLE_FIELDS = [
  'description',
  'buildConfig',
  'serviceConfig',
  'eventTrigger',
  'labels',
  'kmsKeyName',
] as const;

/** Output-only fields inside the writable messages: a mask may name them, they are left alone. */
const OUTPUT_ONLY = new Set([
  'buildConfig.build',
  'serviceConfig.uri',
  'serviceConfig.service',
  'serviceConfig.revision',
  'eventTrigger.trigger',
]);

/** `build_config.source` → `buildConfig.source`: Google APIs accept both spellings of a mask path. */
export function camelPath(path: string): string {
  return path
    .trim()
    .split('.')
    .map((part) => part.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()))
    .join('.');
}

/** The paths of an `updateMask` query parameter (comma separated), camel-cased and checked. */
export function parseUpdateMask(value: string | null): string[] | undefined {
  if (value === null || value.trim() === '') return undefined;
  const paths = value.split(',').map(camelPath);
  for (const path of paths) {
    const top = path.split('.')[0] ?? '';
    if (!(UPDATABLE_FIELDS as readonly string[]).includes(top) || path.split('.').some((p) => p === '')) {
      throw invalidArgument(
        `Invalid field mask path "${path}": it does not name a writable field of Function.`,
      );
    }
  }
  return paths;
}

/**
 * Applies an update as AIP-134 says: with a mask, only the named fields change (a named field
 * absent from the body is cleared; `labels` and maps are replaced whole); without one, every
 * writable field is replaced by the body's.
 */
export function applyUpdate(target: Json, body: Json, mask: string[] | undefined): void {
  const paths = mask ?? [...UPDATABLE_FIELDS];
  for (const path of paths) {
    if (OUTPUT_ONLY.has(path)) continue;
    const keys = path.split('.');
    const last = keys.pop() as string;
    let from: unknown = body;
    let to: Json = target;
    for (const key of keys) {
      from = isObject(from) ? from[key] : undefined;
      if (!isObject(to[key])) to[key] = {};
      to = to[key] as Json;
    }
    const value = isObject(from) ? from[last] : undefined;
    if (value === undefined) delete to[last];
    else to[last] = structuredClone(value);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
