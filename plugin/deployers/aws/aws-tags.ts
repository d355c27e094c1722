import { ownership } from '../ownership';

/** Tag keys faasport writes on Lambda functions (key ≤ 128, value ≤ 256 characters). */
export const TAGS = {
  managedBy: 'faasport:managed-by',
  service: 'faasport:service',
  stage: 'faasport:stage',
  /** The artefact digest (manifest or index) deployed: the reconcile key. Written last. */
  digest: 'faasport:digest',
  /** The zip layer digest: the deployment package's own sha256. */
  zipDigest: 'faasport:zip-digest',
  /** An image's platform manifest, when the reference is an index. */
  manifestDigest: 'faasport:manifest-digest',
} as const;

const owned = ownership(TAGS);
export const ownershipTags = owned.marks;
export const isOwnedBy = owned.isOwnedBy;
export const ownerOf = owned.ownerOf;
