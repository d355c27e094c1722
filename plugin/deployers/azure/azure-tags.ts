import { ownership } from '../ownership';

/**
 * Tag names faasport writes on function apps (Azure tag names may not contain `<>%&\?/`; values
 * ≤ 256 characters, so a `sha256:<hex>` digest fits). Tags come back on a plain site GET.
 */
export const TAGS = {
  managedBy: 'faasport-managed-by',
  service: 'faasport-service',
  stage: 'faasport-stage',
  /** The artefact digest deployed (manifest or index): the reconcile key. Written last. */
  digest: 'faasport-digest',
  /** The zip layer digest: the package blob's own sha256. */
  zipDigest: 'faasport-zip-digest',
} as const;

const owned = ownership(TAGS);
export const ownershipTags = owned.marks;
export const isOwnedBy = owned.isOwnedBy;
export const ownerOf = owned.ownerOf;
