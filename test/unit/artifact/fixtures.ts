import type { Descriptor } from '../../../artifact/content/descriptor';
import { digestOf } from '../../../artifact/content/digest';
import type { ContentStore } from '../../../artifact/content/store';
import {
  buildZipManifest,
  EMPTY_CONFIG_BYTES,
  serialiseManifest,
  zipLayerDescriptor,
} from '../../../artifact/manifest/zip-manifest';
import { OCI_IMAGE_CONFIG, OCI_INDEX, OCI_LAYER_TAR, OCI_MANIFEST } from '../../../artifact/media-types';

export function blob(bytes: Buffer | string, mediaType: string): { descriptor: Descriptor; bytes: Buffer } {
  const buffer = Buffer.from(bytes);
  return { descriptor: { mediaType, digest: digestOf(buffer), size: buffer.length }, bytes: buffer };
}

/** Pushes a zip artefact (config, layer, manifest) and tags it; returns its descriptors. */
export async function pushZipArtifact(store: ContentStore, zipBytes: Buffer, tag?: string) {
  const layer = zipLayerDescriptor({ digest: digestOf(zipBytes), size: zipBytes.length });
  const built = buildZipManifest(layer);
  await store.push(built.manifest.config, EMPTY_CONFIG_BYTES);
  await store.push(layer, zipBytes);
  await store.push(built.descriptor, built.bytes);
  if (tag) await store.tag(built.descriptor, tag);
  return { layer, manifest: built.descriptor, manifestBytes: built.bytes };
}

/** Pushes a two-platform image index (two layers each, one shared) and tags it. */
export async function pushImageIndex(store: ContentStore, tag: string) {
  const shared = blob('shared layer bytes', OCI_LAYER_TAR);
  const children: Descriptor[] = [];
  for (const architecture of ['amd64', 'arm64']) {
    const config = blob(
      JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
      OCI_IMAGE_CONFIG,
    );
    const own = blob(`layer for ${architecture}`, OCI_LAYER_TAR);
    for (const part of [config, shared, own]) await store.push(part.descriptor, part.bytes);
    const built = serialiseManifest({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: config.descriptor,
      layers: [shared.descriptor, own.descriptor],
    });
    await store.push(built.descriptor, built.bytes);
    children.push({ ...built.descriptor, platform: { os: 'linux', architecture } });
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
  const descriptor = { mediaType: OCI_INDEX, digest: digestOf(index), size: index.length };
  await store.push(descriptor, index);
  await store.tag(descriptor, tag);
  return { index: descriptor, children };
}
