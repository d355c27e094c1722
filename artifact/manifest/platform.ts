import { UserError } from '../../common/errors';
import type { Descriptor, Platform } from '../content/descriptor';
import { DOCKER_REFERENCE_TYPE_ANNOTATION, isManifestType } from '../media-types';
import type { ImageIndex } from './types';

export interface PlatformWanted {
  os: string;
  architecture: string;
  variant?: string;
}

/** linux/<the host's CPU> in OCI terms: functions run on Linux whatever the laptop is. */
export function hostPlatform(): PlatformWanted {
  const architecture = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[
    process.arch
  ];
  return { os: 'linux', architecture: architecture ?? process.arch };
}

/** `linux/arm64/v8` → { os, architecture, variant }. */
export function parsePlatform(text: string): PlatformWanted {
  const [os, architecture, variant, ...extra] = text.split('/');
  if (!os || !architecture || extra.length > 0 || variant === '') {
    throw new UserError(`invalid platform "${text}"`, {
      hint: 'Write os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8.',
      exitCode: 2,
    });
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform | PlatformWanted): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

function isRunnable(entry: Descriptor): entry is Descriptor & { platform: Platform } {
  const { platform } = entry;
  if (!platform || !isManifestType(entry.mediaType)) return false;
  if (platform.os === 'unknown' && platform.architecture === 'unknown') return false;
  return entry.annotations?.[DOCKER_REFERENCE_TYPE_ANNOTATION] !== 'attestation-manifest';
}

function variantMatches(entry: Platform, wanted: PlatformWanted): boolean {
  if (wanted.variant === undefined) return true;
  // arm64 images often omit the variant; it then means v8.
  const variant = entry.variant ?? (entry.architecture === 'arm64' ? 'v8' : undefined);
  return variant === wanted.variant;
}

/**
 * The index child for a platform: attestations and unknown/unknown entries skipped, os and
 * architecture exact, variant only when asked for; first match wins.
 */
export function selectPlatform(index: ImageIndex, wanted: PlatformWanted, where: string): Descriptor {
  const candidates = index.manifests.filter(isRunnable);
  const match = candidates.find(
    (entry) =>
      entry.platform.os === wanted.os &&
      entry.platform.architecture === wanted.architecture &&
      variantMatches(entry.platform, wanted),
  );
  if (match) return match;
  const available = candidates.map((entry) => formatPlatform(entry.platform));
  throw new UserError(`${where} has no manifest for platform ${formatPlatform(wanted)}`, {
    hint: available.length
      ? `It offers ${available.join(', ')}; pass one of them with --platform.`
      : 'Its index lists no runnable platform (only attestations or unknown/unknown entries).',
  });
}
