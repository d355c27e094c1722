import { type Cloud, type CloudSupport, cloudSupport } from './clouds';
import { readAll } from './content/read-all';
import type { ContentStore } from './content/store';
import type { Shape } from './manifest/classify';
import type { PlatformWanted } from './manifest/platform';
import { MAX_MANIFEST_BYTES, TITLE_ANNOTATION } from './media-types';
import { formatReference, type Reference, referenceTarget } from './reference';
import { resolveArtifact } from './resolve-artifact';

export interface ArtifactDescription {
  reference: string;
  /** Digest of what the reference points to (manifest or index): what deployments pin. */
  digest: string;
  mediaType: string;
  shape: Shape;
  /** The platform-specific manifest, when the reference is an index. */
  manifestDigest: string;
  artifactType?: string;
  /** os/architecture[/variant]: from the index entry, or from an image's config. */
  platform?: string;
  /** The zip layer (zip artefacts). */
  layer?: { digest: string; size: number; mediaType: string; title?: string };
  /** Image layers (images). */
  layers?: Array<{ digest: string; size: number; mediaType: string }>;
  /** Sum of config and layer sizes. */
  size: number;
  clouds: Record<Cloud, CloudSupport>;
}

async function imagePlatform(
  store: ContentStore,
  config: { digest: string; size: number; mediaType: string },
) {
  if (config.size > MAX_MANIFEST_BYTES) return undefined;
  try {
    const bytes = await readAll(await store.fetch(config), MAX_MANIFEST_BYTES, 'image config');
    const parsed = JSON.parse(bytes.toString('utf8')) as {
      os?: unknown;
      architecture?: unknown;
      variant?: unknown;
    };
    if (typeof parsed.os !== 'string' || typeof parsed.architecture !== 'string') return undefined;
    return [parsed.os, parsed.architecture, typeof parsed.variant === 'string' ? parsed.variant : '']
      .filter(Boolean)
      .join('/');
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Everything a user (or a deployer) needs to know about an artefact before using it. */
export async function describeArtifact(
  store: ContentStore,
  reference: Reference,
  platform: PlatformWanted,
): Promise<ArtifactDescription> {
  const resolved = await resolveArtifact(store, referenceTarget(reference), platform);
  const { classification, manifest, root } = resolved;
  const base = {
    reference: formatReference(reference),
    digest: root.digest,
    mediaType: root.mediaType,
    shape: classification.shape,
    manifestDigest: resolved.manifestDescriptor.digest,
    clouds: cloudSupport(classification.shape),
  };
  const size = manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  if (classification.shape === 'zip') {
    const { layer } = classification;
    const title = layer.annotations?.[TITLE_ANNOTATION];
    return {
      ...base,
      artifactType: classification.artifactType,
      ...(resolved.platform ? { platform: resolved.platform } : {}),
      layer: {
        digest: layer.digest,
        size: layer.size,
        mediaType: layer.mediaType,
        ...(title ? { title } : {}),
      },
      size,
    };
  }
  const fromConfig = resolved.platform ?? (await imagePlatform(store, manifest.config));
  return {
    ...base,
    ...(fromConfig ? { platform: fromConfig } : {}),
    layers: classification.layers.map(({ digest, size: layerSize, mediaType }) => ({
      digest,
      size: layerSize,
      mediaType,
    })),
    size,
  };
}
