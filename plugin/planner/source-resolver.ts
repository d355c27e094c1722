import { join } from 'node:path';
import type { ContentStore } from '../../artifact/content/store';
import type { PlatformWanted } from '../../artifact/manifest/platform';
import { formatPlatform } from '../../artifact/manifest/platform';
import { openStore } from '../../artifact/open-store';
import { formatReference, type Reference, referenceTarget } from '../../artifact/reference';
import { resolveArtifact } from '../../artifact/resolve-artifact';
import { UserError } from '../../common/errors';
import { LOCAL_STATE } from '../../common/local-state';
import { ResolutionCache } from './resolution-cache';
import type { ResolvedSource } from './resolved-source';

export interface SourceResolverOptions {
  serviceDir: string;
  /** Plain http to non-loopback registries. */
  insecure?: boolean;
}

/**
 * Resolves artefact references (each reference × platform once per run) and reads zip layers.
 * One store per repository, so registry tokens are reused across functions.
 */
export class SourceResolver {
  private readonly stores = new Map<string, ContentStore>();
  private readonly pending = new Map<string, Promise<ResolvedSource>>();
  private readonly cache: ResolutionCache;

  constructor(private readonly options: SourceResolverOptions) {
    this.cache = new ResolutionCache(join(options.serviceDir, LOCAL_STATE.resolvedCache));
  }

  store(reference: Reference): ContentStore {
    const key =
      reference.kind === 'layout' ? `oci:${reference.path}` : `${reference.registry}/${reference.repository}`;
    let store = this.stores.get(key);
    if (!store) {
      store = openStore(reference, {
        baseDir: this.options.serviceDir,
        ...(this.options.insecure ? { insecure: true } : {}),
      });
      this.stores.set(key, store);
    }
    return store;
  }

  /** HEAD the reference; the manifest is read only for a digest not seen before. */
  resolve(
    written: string,
    reference: Reference,
    platform: PlatformWanted,
    path: string,
  ): Promise<ResolvedSource> {
    const key = `${formatReference(reference)} ${formatPlatform(platform)}`;
    let resolving = this.pending.get(key);
    if (!resolving) {
      resolving = this.resolveUncached(written, reference, platform).catch((error: unknown) => {
        throw new UserError(`${path}: cannot resolve ${written}: ${(error as Error).message}`, {
          hint:
            error instanceof UserError && error.hint
              ? error.hint
              : 'Publish the function first (sls publish, or faasport publish -c serverless.yml), or fix the reference.',
          exitCode: 1,
          cause: error,
        });
      });
      this.pending.set(key, resolving);
    }
    return resolving;
  }

  private async resolveUncached(
    written: string,
    reference: Reference,
    platform: PlatformWanted,
  ): Promise<ResolvedSource> {
    const store = this.store(reference);
    const root = await store.resolve(referenceTarget(reference));
    const platformKey = formatPlatform(platform);
    const cached = await this.cache.get(root.digest, platformKey);
    if (cached) return { reference: written, ...cached };
    const resolved = await resolveArtifact(store, root.digest, platform);
    const { classification } = resolved;
    const source: ResolvedSource = {
      reference: written,
      digest: root.digest,
      manifestDigest: resolved.manifestDescriptor.digest,
      shape: classification.shape,
      ...(resolved.platform ? { platform: resolved.platform } : {}),
      ...(classification.shape === 'zip'
        ? {
            zip: {
              digest: classification.layer.digest,
              size: classification.layer.size,
              mediaType: classification.layer.mediaType,
            },
          }
        : {}),
    };
    await this.cache.put(source, platformKey);
    return source;
  }

  /** The zip bytes of a zip artefact, verified against the layer digest as they stream in. */
  async zipBytes(reference: Reference, source: ResolvedSource): Promise<Buffer> {
    if (!source.zip) throw new Error(`${source.reference} is not a zip artefact`);
    const stream = await this.store(reference).fetch(source.zip);
    const chunks: Buffer[] = [];
    for await (const chunk of stream)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
}
