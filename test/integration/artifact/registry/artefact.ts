import { randomBytes } from 'node:crypto';
import type { Descriptor } from '../../../../artifact/content/descriptor';
import { digestOf } from '../../../../artifact/content/digest';

/** A small ORAS-shaped zip artefact: the `{}` config, one zip layer and its manifest. */
export interface TestArtefact {
  config: { descriptor: Descriptor; bytes: Buffer };
  layer: { descriptor: Descriptor; bytes: Buffer };
  manifest: { descriptor: Descriptor; bytes: Buffer };
}

export function makeArtefact(layerSize = 4096): TestArtefact {
  const configBytes = Buffer.from('{}');
  const config: Descriptor = {
    mediaType: 'application/vnd.oci.empty.v1+json',
    digest: digestOf(configBytes),
    size: 2,
  };
  // a zip's local-header magic, then random bytes: unique per test, so nothing is pre-existing
  const layerBytes = Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(layerSize - 4)]);
  const layer: Descriptor = {
    mediaType: 'application/zip',
    digest: digestOf(layerBytes),
    size: layerBytes.length,
    annotations: { 'org.opencontainers.image.title': 'function.zip' },
  };
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.faasport.function.v1+zip',
      config,
      layers: [layer],
    }),
  );
  const manifest: Descriptor = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: digestOf(manifestBytes),
    size: manifestBytes.length,
  };
  return {
    config: { descriptor: config, bytes: configBytes },
    layer: { descriptor: layer, bytes: layerBytes },
    manifest: { descriptor: manifest, bytes: manifestBytes },
  };
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
