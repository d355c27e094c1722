import { UserError } from '../../common/errors';
import { isDigest } from '../content/digest';

// distribution-spec name and tag grammars
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Refuses names that are not repository names (and so could not be path-injected into URLs). */
export function checkRepository(repository: string, registry: string): string {
  if (repository.length > 255 || !REPOSITORY.test(repository)) {
    throw new UserError(`invalid repository name "${repository}" for ${registry}`, {
      hint: 'Use lower-case letters, digits and separators (. _ - /), e.g. team/my-function.',
      exitCode: 2,
    });
  }
  return repository;
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function checkTag(tag: string, where: string): string {
  if (!isTag(tag)) {
    throw new UserError(`invalid tag "${tag}" for ${where}`, {
      hint: 'A tag is up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".',
      exitCode: 2,
    });
  }
  return tag;
}

/** A tag or a digest: the two things `/manifests/<reference>` takes. */
export function checkManifestReference(reference: string, where: string): string {
  if (isDigest(reference)) return reference;
  if (reference.includes(':')) {
    throw new UserError(`invalid digest "${reference}" for ${where}`, {
      hint: 'Digests are sha256: followed by 64 lower-case hex characters.',
      exitCode: 2,
    });
  }
  return checkTag(reference, where);
}
