/** Bounds that make a hostile zip fail fast instead of filling the disk. */
export interface UnzipLimits {
  /** Entries in the central directory. */
  maxEntries: number;
  /** Sum of uncompressed sizes. */
  maxTotalBytes: number;
  /** One entry's uncompressed size. */
  maxEntryBytes: number;
  /** Uncompressed / compressed, checked for entries above `ratioThresholdBytes`. */
  maxRatio: number;
  ratioThresholdBytes: number;
}

/**
 * Generous for functions (Lambda's own unzipped limit is 250 MB; node_modules trees can hold
 * tens of thousands of files) yet far below what a bomb expands to.
 */
export const DEFAULT_UNZIP_LIMITS: UnzipLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 4 * 1024 ** 3,
  maxEntryBytes: 2 * 1024 ** 3,
  maxRatio: 1_000,
  ratioThresholdBytes: 1024 ** 2,
};
