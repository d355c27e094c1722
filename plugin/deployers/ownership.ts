/** The tag (or label) names that mark what faasport owns on a cloud. */
export interface OwnershipKeys {
  managedBy: string;
  service: string;
  stage: string;
}

type Marks = Record<string, string> | null | undefined;

export interface Ownership {
  /** The marks a resource of this service and stage carries. */
  marks(service: string, stage: string): Record<string, string>;
  isOwnedBy(marks: Marks, service: string, stage: string): boolean;
  /** Who owns a resource, for a refusal: another service and stage, or not faasport at all. */
  ownerOf(marks: Marks): string;
}

/**
 * Ownership by marks on the resource, the same on every cloud: only names differ, and how a value
 * must be spelled there (`value`, e.g. GCP's lowercase label alphabet).
 */
export function ownership(keys: OwnershipKeys, value: (text: string) => string = (text) => text): Ownership {
  return {
    marks: (service, stage) => ({
      [keys.managedBy]: 'faasport',
      [keys.service]: value(service),
      [keys.stage]: value(stage),
    }),
    isOwnedBy: (marks, service, stage) =>
      marks?.[keys.managedBy] === 'faasport' &&
      marks[keys.service] === value(service) &&
      marks[keys.stage] === value(stage),
    ownerOf: (marks) =>
      marks?.[keys.managedBy] !== 'faasport'
        ? 'not created by faasport'
        : `faasport service ${marks[keys.service]}, stage ${marks[keys.stage]}`,
  };
}
