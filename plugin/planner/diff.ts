import type { PlanAction, PlanChanges } from './plan';

/** A setting value as compared between serverless.yml and the cloud. */
export type SettingValue = string | number | boolean | string[] | Record<string, string> | undefined;

/** What a function should look like on a target, in the target's own terms. */
export interface DesiredSpec {
  /** The artefact digest recorded on the resource (manifest or index digest). */
  digest: string;
  /**
   * What the cloud itself reports for that code, when it can be predicted (Lambda's CodeSha256 of
   * a zip): lets a deploy interrupted after the code update finish with the tag write alone.
   */
  codeFingerprint?: string;
  settings: Record<string, SettingValue>;
}

/** A function as read from a target. */
export type ObservedSpec =
  | { exists: false }
  | {
      exists: true;
      /** Carries this service's and stage's ownership tags. */
      owned: boolean;
      /** Who owns it, for the refusal message (e.g. `service other, stage prod`). */
      owner: string;
      /** The digest recorded on it; absent when none was recorded (yet). */
      digest: string | undefined;
      codeFingerprint: string | undefined;
      settings: Record<string, SettingValue>;
      /** Something the deployer cannot change in place (e.g. zip ↔ image): a refusal. */
      incompatible?: string;
    };

export type Decision = { action: PlanAction; reason: string; changes: PlanChanges } | { refuse: string };

/**
 * The decision for one function on one target. Same digest and same settings → no-op, so a
 * steady-state deploy makes no write call.
 */
export function decide(desired: DesiredSpec, observed: ObservedSpec): Decision {
  if (!observed.exists) {
    return {
      action: 'create',
      reason: 'not deployed yet',
      changes: { code: true, tagsOnly: false, config: [] },
    };
  }
  if (!observed.owned) {
    return { refuse: `it exists but is not managed by this service and stage (${observed.owner})` };
  }
  if (observed.incompatible) return { refuse: observed.incompatible };
  const config = Object.keys(desired.settings)
    .filter((key) => !sameValue(desired.settings[key], observed.settings[key]))
    .sort();
  const digestRecorded = observed.digest === desired.digest;
  const fingerprintKnown = desired.codeFingerprint !== undefined;
  const codeInPlace = fingerprintKnown
    ? observed.codeFingerprint === desired.codeFingerprint
    : digestRecorded;
  const reasons: string[] = [];
  let code = false;
  let tagsOnly = false;
  if (!codeInPlace) {
    code = true;
    reasons.push(
      digestRecorded
        ? 'code changed outside faasport'
        : `new artefact ${short(desired.digest)} (deployed: ${observed.digest ? short(observed.digest) : 'unrecorded'})`,
    );
  } else if (!digestRecorded) {
    tagsOnly = true;
    reasons.push(`code in place, digest ${short(desired.digest)} not yet recorded`);
  }
  if (config.length) reasons.push(`settings drifted: ${config.join(', ')}`);
  const changes = { code, tagsOnly, config };
  if (code || tagsOnly) return { action: 'update-code', reason: reasons.join('; '), changes };
  if (config.length) return { action: 'update-config', reason: reasons.join('; '), changes };
  return { action: 'no-op', reason: `up to date (${short(desired.digest)})`, changes };
}

/** `sha256:0123456789ab` — enough to tell digests apart in a table. */
export function short(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest;
}

function sameValue(a: SettingValue, b: SettingValue): boolean {
  return canonical(a) === canonical(b);
}

/** Order-insensitive for maps, and an empty map equals none (Lambda omits empty Environment). */
function canonical(value: SettingValue): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? JSON.stringify(entries) : 'null';
  }
  return JSON.stringify(value);
}
