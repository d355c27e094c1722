import { createHash } from 'node:crypto';
import { ownership } from '../ownership';

/** Label keys faasport writes on Cloud Functions (keys and values: [a-z0-9_-], at most 63 characters). */
export const LABELS = {
  managedBy: 'faasport-managed-by',
  service: 'faasport-service',
  stage: 'faasport-stage',
  /** The artefact digest, split: `sha256:` + 64 hex does not fit one label value, and `:` is illegal. */
  digestHi: 'faasport-digest-hi',
  digestLo: 'faasport-digest-lo',
} as const;

const FUNCTION_ID = /^[a-z][a-z0-9-]{2,61}[a-z0-9]$/;

/**
 * The Cloud Functions id of a deployed name (`<service>-<stage>-<function>`): lowercase letters,
 * digits and hyphens, 4–63 characters, starting with a letter. A name that had to be shortened
 * or padded gets a hash of the original, so distinct names stay distinct.
 */
export function gcpFunctionId(name: string): string {
  if (FUNCTION_ID.test(name)) return name;
  let id = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (id.length >= 4 && id.length <= 63 && FUNCTION_ID.test(id)) return id;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  id = `${(id || 'fn').slice(0, 54).replace(/-+$/, '')}-${hash}`;
  return /^[a-z]/.test(id) ? id : `f${id}`;
}

/** A label value: lowercase, and any character labels do not allow becomes `_`. */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}

const owned = ownership(LABELS, labelValue);
export const ownershipLabels = owned.marks;
export const isOwnedBy = owned.isOwnedBy;
export const ownerOf = owned.ownerOf;

/** `sha256:<64 hex>` → the two label values; other digests do not fit and are refused. */
export function digestLabels(digest: string): Record<string, string> {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  if (!hex) throw new Error(`cannot record digest ${digest} in labels: only sha256 digests fit`);
  return { [LABELS.digestHi]: hex.slice(0, 32), [LABELS.digestLo]: hex.slice(32) };
}

export function digestFromLabels(labels: Record<string, string> | null | undefined): string | undefined {
  const hi = labels?.[LABELS.digestHi];
  const lo = labels?.[LABELS.digestLo];
  return hi && lo && /^[a-f0-9]{32}$/.test(hi) && /^[a-f0-9]{32}$/.test(lo) ? `sha256:${hi}${lo}` : undefined;
}
