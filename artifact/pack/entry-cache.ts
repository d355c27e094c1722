import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);

/** A file's deflated bytes and what its zip entry records. */
export interface CompressedEntry {
  crc32: number;
  size: number;
  compressed: Buffer;
}

/**
 * Deflated file contents, keyed by path and the file's identity (device, inode, size, mtime and
 * ctime in nanoseconds): a file whose stat is unchanged is not read again. This is what keeps a
 * hot reload of a service with thousands of dependency files as fast as one without: only the
 * edited file is read and compressed. Bounded by the bytes it holds, oldest dropped first.
 *
 * A file rewritten after it was stat'ed but before it was read is stored under the old identity
 * with the new bytes; its next stat differs, so it is read again then — never served stale.
 */
export class CompressedEntryCache {
  private readonly entries = new Map<string, { identity: string; entry: CompressedEntry }>();
  private bytes = 0;
  /** Files read (and compressed) since the cache was made: what a pack could not reuse. */
  reads = 0;

  constructor(
    private readonly maxBytes = 512 * 1024 * 1024,
    /** The deflate level; 6 is what every writer of faasport's zips uses. */
    private readonly level = 6,
  ) {}

  /** The entry of `path` whose stat identity is `identity`, read and compressed when not cached. */
  async get(path: string, identity: string): Promise<CompressedEntry> {
    const hit = this.entries.get(path);
    if (hit?.identity === identity) {
      // Most recently used last: what is dropped first is what no pack asked for in a while.
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit.entry;
    }
    const bytes = await readFile(path);
    this.reads++;
    const entry: CompressedEntry = {
      crc32: crc32(bytes) >>> 0,
      size: bytes.length,
      compressed: await deflate(bytes, { level: this.level }),
    };
    this.store(path, identity, entry);
    return entry;
  }

  private store(path: string, identity: string, entry: CompressedEntry): void {
    const old = this.entries.get(path);
    if (old) {
      this.bytes -= old.entry.compressed.length;
      this.entries.delete(path);
    }
    if (entry.compressed.length > this.maxBytes) return;
    this.entries.set(path, { identity, entry });
    this.bytes += entry.compressed.length;
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.bytes -= value.entry.compressed.length;
    }
  }
}
