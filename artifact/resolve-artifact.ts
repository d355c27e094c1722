import { UserError } from '../common/errors';
import type { Descriptor } from './content/descriptor';
import type { ContentStore } from './content/store';
import { type Classification, classifyManifest, hasZipMagic, ZIP_MAGIC } from './manifest/classify';
import { formatPlatform, type PlatformWanted, selectPlatform } from './manifest/platform';
import { readManifest } from './manifest/read';
import type { ImageManifest } from './manifest/types';

export interface ResolvedArtifact {
  /** What the reference points to: a manifest, or an index. */
  root: Descriptor;
  /** The manifest that was classified (the root, or the index child for the platform). */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  classification: Classification;
  /** The index entry's platform, when the root was an index. */
  platform?: string;
}

/** The first bytes of a blob (the stream is abandoned after them). */
async function firstBytes(store: ContentStore, descriptor: Descriptor, count: number): Promise<Buffer> {
  const stream = await store.fetch(descriptor);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= count) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, count);
}

/**
 * Resolves a tag or digest in a store to a classified artefact: an index is narrowed to the
 * platform's child; a zip layer not typed application/zip must prove itself by its first bytes.
 */
export async function resolveArtifact(
  store: ContentStore,
  target: string,
  platform: PlatformWanted,
): Promise<ResolvedArtifact> {
  const root = await store.resolve(target);
  const where = `${store.location}@${root.digest}`;
  const first = await readManifest(store, root);
  let manifestDescriptor = root;
  let manifest: ImageManifest;
  let chosenPlatform: string | undefined;
  if (first.parsed.kind === 'index') {
    manifestDescriptor = selectPlatform(first.parsed.index, platform, where);
    chosenPlatform = manifestDescriptor.platform ? formatPlatform(manifestDescriptor.platform) : undefined;
    const child = await readManifest(store, manifestDescriptor);
    if (child.parsed.kind !== 'manifest') {
      throw new UserError(`${where}: the index entry for ${formatPlatform(platform)} is itself an index`, {
        hint: 'Nested indexes are not supported; point to the inner index directly.',
      });
    }
    manifest = child.parsed.manifest;
  } else {
    manifest = first.parsed.manifest;
  }
  const classification = classifyManifest(manifest, where);
  if (classification.shape === 'zip' && classification.mislabelled) {
    const head = await firstBytes(store, classification.layer, ZIP_MAGIC.length);
    if (!hasZipMagic(head)) {
      throw new UserError(
        `${where}: the layer titled "${classification.layer.annotations?.['org.opencontainers.image.title']}" is typed ${classification.layer.mediaType} and its bytes are not a zip`,
        { hint: 'Push the zip with its media type, e.g. oras push <ref> function.zip:application/zip.' },
      );
    }
  }
  return {
    root,
    manifestDescriptor,
    manifest,
    classification,
    ...(chosenPlatform ? { platform: chosenPlatform } : {}),
  };
}
