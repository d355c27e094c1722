import type { CopyProgress } from '../copy';
import { copyArtifact } from '../copy';
import { mountSource, openStore } from '../open-store';
import { formatReference, withDigest } from '../reference';
import { publishFolder } from './publish-folder';
import type { FunctionToPublish } from './service-functions';

/** One reference a function's artefact now lives at. */
export interface PublishedReference {
  function: string;
  /** `<registry>/<repo>@sha256:…` (or `oci:<dir>@sha256:…`). */
  reference: string;
  digest: string;
  /** `pushed`/`copied`: bytes were sent; `unchanged`: the registry had them all. */
  result: 'pushed' | 'copied' | 'unchanged';
}

export interface PublishServiceOptions {
  /** The service folder: sources are packed from it, relative `oci:` stores resolve in it. */
  serviceDir: string;
  functions: readonly FunctionToPublish[];
  /** The service's Serverless plugins: build tools, never packed. */
  plugins?: readonly string[];
  insecure?: boolean;
  /** Called before each function is packed and pushed; returns its progress sink, if any. */
  onFunction?(fn: FunctionToPublish): ((progress: CopyProgress) => void) | undefined;
}

/**
 * Packs each function once, pushes it to its first reference, then copies the same bytes (same
 * digest) to every other reference — a target's registry — mounting across repositories where
 * the registry allows. What `faasport publish -c` and `sls publish` both do.
 */
export async function publishService(options: PublishServiceOptions): Promise<PublishedReference[]> {
  const { serviceDir, insecure = false } = options;
  const results: PublishedReference[] = [];
  for (const fn of options.functions) {
    const [primary, ...others] = fn.references;
    if (!primary) continue;
    const onProgress = options.onFunction?.(fn);
    const store = openStore(primary, { insecure, baseDir: serviceDir });
    const published = await publishFolder(
      store,
      {
        sourceDir: serviceDir,
        patterns: fn.patterns,
        nodeModules: 'production',
        excludePackages: options.plugins ?? [],
      },
      primary.tag,
      onProgress ? { onProgress } : {},
    );
    const digest = published.manifest.digest;
    results.push({
      function: fn.name,
      reference: formatReference(withDigest(primary, digest)),
      digest,
      result: published.uploadedBytes ? 'pushed' : 'unchanged',
    });
    for (const other of others) {
      const mountFrom = mountSource(primary, other);
      const copied = await copyArtifact(
        store,
        openStore(other, { insecure, baseDir: serviceDir }),
        published.manifest,
        {
          ...(other.tag !== undefined ? { tag: other.tag } : {}),
          ...(mountFrom !== undefined ? { mountFrom } : {}),
        },
      );
      results.push({
        function: fn.name,
        reference: formatReference(withDigest(other, digest)),
        digest,
        result: copied.transferred ? 'copied' : 'unchanged',
      });
    }
  }
  return results;
}
