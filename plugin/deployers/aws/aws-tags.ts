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

export function ownershipTags(service: string, stage: string): Record<string, string> {
  return { [TAGS.managedBy]: 'faasport', [TAGS.service]: service, [TAGS.stage]: stage };
}

export function isOwnedBy(tags: Record<string, string> | undefined, service: string, stage: string): boolean {
  return (
    tags?.[TAGS.managedBy] === 'faasport' && tags[TAGS.service] === service && tags[TAGS.stage] === stage
  );
}

export function ownerOf(tags: Record<string, string> | undefined): string {
  if (tags?.[TAGS.managedBy] !== 'faasport') return 'not created by faasport';
  return `faasport service ${tags[TAGS.service]}, stage ${tags[TAGS.stage]}`;
}
