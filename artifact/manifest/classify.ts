import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import {
  isImageConfigType,
  isImageLayerType,
  ORAS_UNPACK_ANNOTATION,
  TITLE_ANNOTATION,
  ZIP,
} from '../media-types';
import type { ImageManifest } from './types';

export type Shape = 'zip' | 'image';

export type Classification =
  | {
      shape: 'zip';
      /** `artifactType ?? config.mediaType` (ORAS v1.0 shapes carry the type in the config). */
      artifactType: string;
      layer: Descriptor;
      /** True when the layer is not typed application/zip: the bytes must prove it (PK\x03\x04). */
      mislabelled: boolean;
    }
  | { shape: 'image'; config: Descriptor; layers: Descriptor[] };

/** The local file header signature every zip starts with. */
export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Image or zip, decided from the manifest alone (docs/architecture.md, the artefact contract). A zip whose layer is
 * mislabelled (e.g. `oras push f.zip` without `:application/zip` types it as a tar) is accepted
 * provisionally; callers confirm it with `hasZipMagic` on the first bytes.
 */
export function classifyManifest(manifest: ImageManifest, where: string): Classification {
  const artifactType = manifest.artifactType ?? manifest.config.mediaType;
  const { layers } = manifest;

  if (layers.some((layer) => layer.annotations?.[ORAS_UNPACK_ANNOTATION] !== undefined)) {
    throw new UserError(`${where} is an ORAS directory push (a tar of a folder), not a function zip`, {
      hint: 'Zip the function and push the .zip file itself (faasport publish <dir> --to <ref> does this).',
    });
  }

  const imageTyped = isImageConfigType(manifest.config.mediaType) && manifest.artifactType === undefined;
  if (imageTyped && layers.every((layer) => isImageLayerType(layer.mediaType)) && !looksLikeZip(layers)) {
    return { shape: 'image', config: manifest.config, layers };
  }

  const [layer] = layers;
  if (layers.length === 1 && layer) {
    if (layer.mediaType === ZIP) return { shape: 'zip', artifactType, layer, mislabelled: false };
    const title = layer.annotations?.[TITLE_ANNOTATION] ?? '';
    if (!isImageConfigType(artifactType) && title.toLowerCase().endsWith('.zip')) {
      return { shape: 'zip', artifactType, layer, mislabelled: true };
    }
  }

  throw new UserError(
    `${where} is neither a container image nor a function zip artefact (artifact type ${artifactType}, ${layers.length} layer(s): ${
      layers.map((layer) => layer.mediaType).join(', ') || 'none'
    })`,
    {
      hint: 'faasport runs container images and ORAS-style artefacts with a single application/zip layer.',
    },
  );
}

/** An image-typed manifest whose single layer is titled *.zip is still a zip (ORAS with --artifact-platform). */
function looksLikeZip(layers: Descriptor[]): boolean {
  const [only] = layers;
  return (
    layers.length === 1 &&
    only !== undefined &&
    (only.annotations?.[TITLE_ANNOTATION] ?? '').toLowerCase().endsWith('.zip')
  );
}

export function hasZipMagic(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= ZIP_MAGIC.length && ZIP_MAGIC.equals(Buffer.from(firstBytes.subarray(0, 4)));
}
