import type { Entry } from 'yauzl';
import type { UnzipLimits } from './limits';

export const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;
const UNIX_HOST = 3;
/** Local file header: 30 fixed bytes before the name; no two entries' data may overlap. */
const LOCAL_HEADER_BYTES = 30;

/** How yauzl reads every zip here: sizes checked while inflating, unsafe names refused. */
export const YAUZL_OPTIONS = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: true,
  strictFileNames: true,
  decodeStrings: true,
} as const;

/**
 * Why a zip is refused: `too-large` when it expands beyond the size limits, `unsafe` for what
 * could escape, link or bomb, `corrupt` when it cannot be read as a zip at all. The reason names
 * entries, never a path of this machine.
 */
export interface ZipProblem {
  kind: 'too-large' | 'unsafe' | 'corrupt';
  reason: string;
}

export function unixMode(entry: Entry): number | undefined {
  return entry.versionMadeBy >> 8 === UNIX_HOST ? (entry.externalFileAttributes >>> 16) & 0xffff : undefined;
}

/**
 * Checks names, types, sizes, ratios and overlaps of every entry of a central directory (yauzl
 * already refused `\`, `/x`, `C:` and `..`). Sizes come first: a zip over the limits is too large
 * whatever else is wrong with it.
 */
export function entriesProblem(entries: readonly Entry[], limits: UnzipLimits): ZipProblem | undefined {
  if (entries.length > limits.maxEntries) {
    return {
      kind: 'unsafe',
      reason: `it has ${entries.length} entries, over the limit of ${limits.maxEntries}`,
    };
  }
  let total = 0;
  for (const entry of entries) {
    if (entry.uncompressedSize > limits.maxEntryBytes) {
      return {
        kind: 'too-large',
        reason: `entry ${JSON.stringify(entry.fileName)} expands to ${entry.uncompressedSize} bytes, over the per-entry limit of ${limits.maxEntryBytes}`,
      };
    }
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) {
      return { kind: 'too-large', reason: `it expands to more than ${limits.maxTotalBytes} bytes in total` };
    }
  }
  const names = new Set<string>();
  for (const entry of entries) {
    const name = entry.fileName;
    const canonical = name.replace(/\/+$/, '');
    if (
      name.includes('\0') ||
      canonical === '' ||
      canonical.split('/').some((part) => part === '' || part === '.')
    ) {
      return { kind: 'unsafe', reason: `entry name ${JSON.stringify(name)} is not a plain relative path` };
    }
    if (names.has(canonical))
      return { kind: 'unsafe', reason: `entry ${JSON.stringify(canonical)} appears more than once` };
    names.add(canonical);
    const mode = unixMode(entry);
    if (mode !== undefined && (mode & S_IFMT) === S_IFLNK) {
      return {
        kind: 'unsafe',
        reason: `entry ${JSON.stringify(name)} is a symbolic link; links are never extracted`,
      };
    }
    if (entry.isEncrypted()) return { kind: 'unsafe', reason: `entry ${JSON.stringify(name)} is encrypted` };
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > limits.ratioThresholdBytes && ratio > limits.maxRatio) {
      return {
        kind: 'unsafe',
        reason: `entry ${JSON.stringify(name)} has a compression ratio of ${Math.round(ratio)}:1, over the limit of ${limits.maxRatio}:1 (zip bomb)`,
      };
    }
  }
  // Overlapping entries (several names sharing compressed data) are how the worst bombs work.
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    const current = byOffset[i]!;
    const previousEnd =
      previous.relativeOffsetOfLocalHeader +
      LOCAL_HEADER_BYTES +
      previous.fileNameLength +
      previous.compressedSize;
    if (current.relativeOffsetOfLocalHeader < previousEnd) {
      return {
        kind: 'unsafe',
        reason: `entries ${JSON.stringify(previous.fileName)} and ${JSON.stringify(current.fileName)} overlap (zip bomb)`,
      };
    }
  }
  return undefined;
}
