import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { Descriptor } from '../content/descriptor';
import { type ContentStore, isAdoptingStore } from '../content/store';
import type { CopyProgress } from '../copy';
import {
  type BuiltManifest,
  buildZipManifest,
  EMPTY_CONFIG_BYTES,
  type ZipManifestShape,
  zipLayerDescriptor,
} from '../manifest/zip-manifest';
import { isManifestShapeRejected } from '../registry';

export interface ZipFile {
  path: string;
  digest: string;
  size: number;
}

export interface PublishedZip {
  manifest: Descriptor;
  layer: Descriptor;
  /** `v1.0` when the registry refused the image-spec 1.1 shape. */
  manifestShape: ZipManifestShape;
  /** Zip bytes uploaded: 0 when the target already had the layer. */
  uploadedBytes: number;
}

async function pushManifest(
  store: ContentStore,
  built: BuiltManifest,
  tag: string | undefined,
): Promise<void> {
  await store.push(built.descriptor, built.bytes);
  if (tag !== undefined) await store.tag(built.descriptor, tag);
}

/**
 * Publishes a zip as a function artefact: the `{}` config and the zip layer (skipped when the
 * store has them, streamed from disk otherwise), then the manifest, in the image-spec 1.1 shape
 * first and once more in the 1.0 shape if the registry refuses the first (ECR, old Quay).
 */
export async function publishZip(
  store: ContentStore,
  zip: ZipFile,
  tag: string | undefined,
  options: {
    onProgress?: (progress: CopyProgress) => void;
    title?: string;
    /** The zip was written in the store's scratch folder by faasport's writer: rename it in. */
    adopt?: boolean;
  } = {},
): Promise<PublishedZip> {
  const layer = zipLayerDescriptor(zip, options.title);
  let built = buildZipManifest(layer, 'v1.1');
  await store.push(built.manifest.config, EMPTY_CONFIG_BYTES);

  let uploadedBytes = 0;
  if (await store.exists(layer)) {
    options.onProgress?.({ done: zip.size, total: zip.size });
  } else if (options.adopt && isAdoptingStore(store)) {
    await store.adopt(layer, zip.path);
    options.onProgress?.({ done: zip.size, total: zip.size });
    uploadedBytes = zip.size;
  } else {
    let attempt = 0;
    await store.push(layer, () => {
      attempt = 0;
      return createReadStream(zip.path).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            attempt += chunk.length;
            options.onProgress?.({ done: attempt, total: zip.size });
            callback(null, chunk);
          },
        }),
      );
    });
    uploadedBytes = zip.size;
  }

  let manifestShape: ZipManifestShape = 'v1.1';
  try {
    await pushManifest(store, built, tag);
  } catch (error) {
    if (!isManifestShapeRejected(error)) throw error;
    manifestShape = 'v1.0';
    built = buildZipManifest(layer, 'v1.0');
    await pushManifest(store, built, tag);
  }
  return { manifest: built.descriptor, layer, manifestShape, uploadedBytes };
}
