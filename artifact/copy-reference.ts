import { UserError } from '../common/errors';
import { type CopyProgress, copyArtifact } from './copy';
import type { Shape } from './manifest/classify';
import type { PlatformWanted } from './manifest/platform';
import { mountSource, type OpenStoreOptions, openStore } from './open-store';
import { formatReference, type Reference, referenceTarget } from './reference';
import { resolveArtifact } from './resolve-artifact';

export interface CopyReferenceResult {
  reference: string;
  source: string;
  digest: string;
  shape: Shape;
  transferredBytes: number;
  mounted: number;
  skipped: number;
}

/**
 * Copies the artefact at one reference to another (registry ↔ registry, layout ↔ registry),
 * digests preserved; tagged with the target's tag. A target pinned to a different digest is an error.
 */
export async function copyReference(
  from: Reference,
  to: Reference,
  options: OpenStoreOptions & { platform: PlatformWanted; onProgress?: (progress: CopyProgress) => void },
): Promise<CopyReferenceResult> {
  const source = openStore(from, options);
  const target = openStore(to, options);
  const resolved = await resolveArtifact(source, referenceTarget(from), options.platform);
  if (to.digest !== undefined && to.digest !== resolved.root.digest) {
    throw new UserError(
      `${formatReference(to)} asks for digest ${to.digest}, but ${formatReference(from)} is ${resolved.root.digest}`,
      { hint: 'Copy keeps digests; drop the @digest from the target or fix it.', exitCode: 2 },
    );
  }
  const mountFrom = mountSource(from, to);
  const result = await copyArtifact(source, target, resolved.root, {
    ...(to.tag !== undefined ? { tag: to.tag } : {}),
    ...(mountFrom !== undefined ? { mountFrom } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    reference: formatReference(to),
    source: formatReference(from),
    digest: resolved.root.digest,
    shape: resolved.classification.shape,
    transferredBytes: result.transferred,
    mounted: result.mounted,
    skipped: result.skipped,
  };
}
