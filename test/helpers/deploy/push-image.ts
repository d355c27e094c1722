import { gzipSync } from 'node:zlib';
import { digestOf } from '../../../artifact/content/digest';
import { openStore } from '../../../artifact/open-store';
import { parseReference } from '../../../artifact/reference';

/**
 * Pushes a minimal single-layer linux/amd64 image (one gzipped layer of `layerBytes` zero bytes)
 * to `reference`; returns its manifest digest.
 */
export async function pushTestImage(reference: string, layerBytes = 256): Promise<string> {
  const parsed = parseReference(reference);
  const store = openStore(parsed);
  const layer = gzipSync(Buffer.alloc(layerBytes));
  const config = Buffer.from(
    JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const descriptor = (mediaType: string, bytes: Buffer) => ({
    mediaType,
    digest: digestOf(bytes),
    size: bytes.length,
  });
  const layerDescriptor = descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer);
  const configDescriptor = descriptor('application/vnd.oci.image.config.v1+json', config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: configDescriptor,
      layers: [layerDescriptor],
    }),
  );
  const manifestDescriptor = descriptor('application/vnd.oci.image.manifest.v1+json', manifest);
  await store.push(layerDescriptor, layer);
  await store.push(configDescriptor, config);
  await store.push(manifestDescriptor, manifest);
  await store.tag(manifestDescriptor, parsed.tag ?? 'latest');
  return manifestDescriptor.digest;
}
