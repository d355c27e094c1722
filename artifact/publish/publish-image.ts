import { stat } from 'node:fs/promises';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import type { ContentStore } from '../content/store';
import { type CopyProgress, copyArtifact } from '../copy';
import { ArchiveStore } from '../image/archive-store';
import { classifyManifest } from '../manifest/classify';
import { readManifest } from '../manifest/read';
import { mountSource, openStore } from '../open-store';
import { formatReference, parseReference, type Reference, referenceTarget, withDigest } from '../reference';
import { LayoutStore } from '../store/layout-store';

export interface PublishedImage {
  reference: string;
  digest: string;
  shape: 'image';
  transferredBytes: number;
}

/** The single image of a layout folder given without a tag: its only entry, or `latest`. */
async function soleImage(layout: LayoutStore): Promise<Descriptor> {
  const index = await layout.readIndex();
  if (index.manifests.length === 1) return layout.resolve(index.manifests[0]!.digest);
  const tags = await layout.tags();
  if (tags.includes('latest')) return layout.resolve('latest');
  throw new UserError(`${layout.location} holds ${index.manifests.length} images`, {
    hint: `Name one: oci:${layout.root}:<tag> (tags: ${tags.join(', ') || 'none'}).`,
    exitCode: 2,
  });
}

/**
 * Publishes a container image from a `docker save` tarball, an OCI layout folder or an
 * `oci:<dir>:<tag>` reference: the same bytes, digests preserved, to `to`.
 */
export async function publishImage(
  source: string,
  to: Reference,
  options: { insecure?: boolean; onProgress?: (progress: CopyProgress) => void },
): Promise<PublishedImage> {
  let store: ContentStore;
  let root: Descriptor;
  let mountFrom: string | undefined;
  if (source.startsWith('oci:')) {
    const from = parseReference(source);
    store = openStore(from);
    root = await store.resolve(referenceTarget(from));
    mountFrom = mountSource(from, to);
  } else if ((await stat(source)).isDirectory()) {
    const layout = new LayoutStore(source);
    store = layout;
    root = await soleImage(layout);
  } else {
    const archive = await ArchiveStore.open(source);
    store = archive;
    root = archive.image;
  }
  const { parsed } = await readManifest(store, root);
  if (parsed.kind === 'manifest' && classifyManifest(parsed.manifest, store.location).shape !== 'image') {
    throw new UserError(`${store.location} holds a zip artefact, not a container image`, {
      hint: 'Use faasport copy to move artefacts between stores.',
      exitCode: 2,
    });
  }
  const target = openStore(to, options.insecure ? { insecure: true } : {});
  const result = await copyArtifact(store, target, root, {
    ...(to.tag !== undefined ? { tag: to.tag } : {}),
    ...(mountFrom !== undefined ? { mountFrom } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    reference: formatReference(withDigest(to, root.digest)),
    digest: root.digest,
    shape: 'image',
    transferredBytes: result.transferred,
  };
}
