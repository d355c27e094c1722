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
