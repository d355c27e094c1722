import type { Descriptor } from '../content/descriptor';
import { digestOf } from '../content/digest';
import {
  EMPTY_JSON,
  EMPTY_JSON_DIGEST,
  FUNCTION_ZIP_ARTIFACT_TYPE,
  OCI_EMPTY,
  OCI_MANIFEST,
  TITLE_ANNOTATION,
  ZIP,
} from '../media-types';
import type { ImageManifest } from './types';

/**
 * `v1.1`: image-spec 1.1 artefact (artifactType + empty config), what ORAS 1.1+ writes.
 * `v1.0`: the fallback for registries that refuse artifactType: config.mediaType carries the type.
 */
export type ZipManifestShape = 'v1.1' | 'v1.0';

export interface BuiltManifest {
  manifest: ImageManifest;
  /** The exact bytes to push; their digest is `descriptor.digest`. */
  bytes: Buffer;
  descriptor: Descriptor;
}

export const EMPTY_CONFIG_BYTES: Buffer = Buffer.from(EMPTY_JSON);

/** The zip layer's descriptor; the title tells ORAS clients what file to write on pull. */
export function zipLayerDescriptor(
  zip: { digest: string; size: number },
  title = 'function.zip',
): Descriptor {
  return { mediaType: ZIP, digest: zip.digest, size: zip.size, annotations: { [TITLE_ANNOTATION]: title } };
}

/** Serialises a manifest deterministically (fixed key order from the builders, no whitespace). */
export function serialiseManifest(manifest: ImageManifest): BuiltManifest {
  const bytes = Buffer.from(JSON.stringify(manifest));
  return {
    manifest,
    bytes,
    descriptor: {
      mediaType: manifest.mediaType,
      digest: digestOf(bytes),
      size: bytes.length,
      ...(manifest.artifactType ? { artifactType: manifest.artifactType } : {}),
    },
  };
}

/**
 * The manifest of a function zip. Deliberately no `created` annotation: the same zip must give
 * the same manifest digest, so an unchanged function publishes as a no-op.
 */
export function buildZipManifest(layer: Descriptor, shape: ZipManifestShape = 'v1.1'): BuiltManifest {
  const manifest: ImageManifest =
    shape === 'v1.1'
      ? {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: FUNCTION_ZIP_ARTIFACT_TYPE,
          config: {
            mediaType: OCI_EMPTY,
            digest: EMPTY_JSON_DIGEST,
            size: 2,
            data: EMPTY_CONFIG_BYTES.toString('base64'),
          },
          layers: [layer],
        }
      : {
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: FUNCTION_ZIP_ARTIFACT_TYPE, digest: EMPTY_JSON_DIGEST, size: 2 },
          layers: [layer],
        };
  return serialiseManifest(manifest);
}
