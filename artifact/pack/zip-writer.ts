import { createHash } from 'node:crypto';
import { type BigIntStats, createWriteStream } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { type CompressedEntry, CompressedEntryCache } from './entry-cache';
import {
  centralDirectoryRecord,
  dataDescriptor,
  dosTimestamp,
  type EntryFacts,
  endOfCentralDirectory,
  localFileHeader,
  ZIP32_MAX_BYTES,
  ZIP32_MAX_ENTRIES,
} from './zip-records';

export interface ZipEntry {
  /** Name inside the zip (`/`-separated, relative). */
  path: string;
  absolutePath: string;
  executable: boolean;
  /** The file's identity when it was listed (walk.ts); stat'ed here when absent. */
  identity?: string;
}

/** What a zip entry records of a file: enough to tell two versions of it apart without reading either. */
export interface PackedEntry {
  name: string;
  crc32: number;
  size: number;
  executable: boolean;
}

export interface WrittenZip {
  path: string;
  digest: string;
  size: number;
  /** The file entries in zip order (absent for the rare ZIP64 zips yazl streams). */
  entries?: PackedEntry[];
}

/** 1980-01-01T00:00:00Z: the earliest time a zip (DOS) timestamp can hold. */
export const DEFAULT_EPOCH_SECONDS = 315_532_800;
const LATEST_DOS_SECONDS = 4_354_819_198; // 2107-12-31T23:59:58Z

/** `SOURCE_DATE_EPOCH` (reproducible-builds.org) when set and valid, else 1980-01-01. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw !== undefined && /^\d+$/.test(raw.trim())) return Number(raw.trim());
  return DEFAULT_EPOCH_SECONDS;
}

/**
 * yazl writes DOS timestamps from a Date's *local* fields. Build the Date whose local fields are
 * the UTC fields of the epoch, so the bytes do not depend on the machine's time zone (the "UT"
 * extra field, which would, is turned off with forceDosTimestamp).
 */
function dosDate(epochSeconds: number): Date {
  const clamped = Math.min(Math.max(epochSeconds, DEFAULT_EPOCH_SECONDS), LATEST_DOS_SECONDS);
  const utc = new Date(clamped * 1000);
  return new Date(
    utc.getUTCFullYear(),
    utc.getUTCMonth(),
    utc.getUTCDate(),
    utc.getUTCHours(),
    utc.getUTCMinutes(),
    utc.getUTCSeconds(),
  );
}

const REGULAR_FILE = 0o100000;

/**
 * A source file vanished or could not be read while the zip was being written (an editor saving,
 * a `git checkout`). The caller may list the folder again and retry.
 */
export class SourceChangedError extends Error {
  override readonly name = 'SourceChangedError';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file} changed while it was being packed: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Writes entries, in the order given, to `outFile` with fixed timestamps, fixed modes (0644, or
 * 0755 when the source had any execute bit), no directory entries and no owner information;
 * hashed on the way, and renamed into place only when complete.
 *
 * Each file's deflated bytes come from `cache` (entry-cache.ts): a file whose identity is
 * unchanged since the last pack is neither read nor compressed again, so repacking a folder with
 * thousands of dependency files after one edit reads one file. Files are compressed a few at a
 * time ahead of the writer (zlib runs on libuv's thread pool) and read whole, so a file saved
 * meanwhile cannot disagree with its own size. Zips too large for 32-bit records (ZIP64) are
 * streamed by yazl instead, with the same layout.
 */
export async function writeDeterministicZip(
  entries: readonly ZipEntry[],
  outFile: string,
  epochSeconds: number,
  cache: CompressedEntryCache = new CompressedEntryCache(),
): Promise<WrittenZip> {
  if (entries.length > ZIP32_MAX_ENTRIES) return writeWithYazl(entries, outFile, epochSeconds);
  const stamp = dosTimestamp(new Date(clampToDos(epochSeconds) * 1000));
  const partial = `${outFile}.partial-${process.pid}-${Date.now()}`;
  const hash = createHash('sha256');
  const file = await open(partial, 'w', 0o644);
  let size = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await file.writev(batch);
    batch = [];
    batchBytes = 0;
  };
  const emit = async (buffer: Buffer) => {
    hash.update(buffer);
    size += buffer.length;
    batch.push(buffer);
    batchBytes += buffer.length;
    if (batchBytes >= 1024 * 1024 || batch.length >= 512) await flush();
  };
  const compress = (entry: ZipEntry) =>
    (entry.identity === undefined
      ? stat(entry.absolutePath, { bigint: true }).then((info) => identityOf(info))
      : Promise.resolve(entry.identity)
    )
      .then((identity) => cache.get(entry.absolutePath, identity))
      .catch((error: unknown) => {
        throw new SourceChangedError(entry.path, error);
      });
  let tooLarge = false;
  const facts: EntryFacts[] = [];
  try {
    const ahead: Promise<CompressedEntry>[] = [];
    for (let index = 0; index < entries.length; index++) {
      for (let next = ahead.length; next < Math.min(entries.length, index + COMPRESS_AHEAD); next++) {
        const pending = compress(entries[next] as ZipEntry);
        pending.catch(() => {}); // awaited in order below; a later failure must not go unhandled first
        ahead.push(pending);
      }
      const entry = entries[index] as ZipEntry;
      const data = await (ahead[index] as Promise<CompressedEntry>);
      ahead[index] = DONE;
      const name = Buffer.from(entry.path);
      const fact: EntryFacts = {
        name,
        crc32: data.crc32,
        compressedSize: data.compressed.length,
        size: data.size,
        mode: REGULAR_FILE | (entry.executable ? 0o755 : 0o644),
        offset: size,
      };
      if (
        size + 30 + name.length + fact.compressedSize + 16 > ZIP32_MAX_BYTES ||
        fact.size > ZIP32_MAX_BYTES
      ) {
        tooLarge = true;
        break;
      }
      await emit(localFileHeader(name, stamp));
      await emit(data.compressed);
      await emit(dataDescriptor(fact));
      facts.push(fact);
    }
    if (!tooLarge) {
      const directoryOffset = size;
      for (const fact of facts) await emit(centralDirectoryRecord(fact, stamp));
      await emit(endOfCentralDirectory(facts.length, size - directoryOffset, directoryOffset));
      await flush();
    }
    await file.close();
    if (tooLarge) {
      await rm(partial, { force: true });
      return writeWithYazl(entries, outFile, epochSeconds);
    }
    await rename(partial, outFile);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
  const packed = facts.map((fact, index) => ({
    name: (entries[index] as ZipEntry).path,
    crc32: fact.crc32,
    size: fact.size,
    executable: (entries[index] as ZipEntry).executable,
  }));
  return { path: outFile, digest: `sha256:${hash.digest('hex')}`, size, entries: packed };
}

/** How many files are read and compressed ahead of the one being written. */
const COMPRESS_AHEAD = 8;
const DONE: Promise<CompressedEntry> = Promise.resolve({ crc32: 0, size: 0, compressed: Buffer.alloc(0) });

function identityOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

function clampToDos(epochSeconds: number): number {
  return Math.min(Math.max(epochSeconds, DEFAULT_EPOCH_SECONDS), LATEST_DOS_SECONDS);
}

/**
 * The same zip streamed by yazl (ZIP64 when it needs it). Each file is read whole when its turn
 * comes and handed over as one chunk, so a file that grows or shrinks meanwhile cannot make the
 * entry disagree with its own size (yazl's addFile stats first and reads later, and reports a
 * mismatch as an 'error' event that nobody awaits). The bytes are the same as addFile's: sizes
 * unknown up front, data descriptors after.
 */
async function writeWithYazl(
  entries: readonly ZipEntry[],
  outFile: string,
  epochSeconds: number,
): Promise<WrittenZip> {
  const mtime = dosDate(epochSeconds);
  const zip = new ZipFile();
  // yazl reports failures as 'error' events on the ZipFile: end the output with them so that the
  // pipeline below rejects instead of the process dying on an unhandled event.
  let failure: Error | undefined;
  zip.on('error', (error: Error) => {
    failure ??= error;
    (zip.outputStream as Readable).destroy(error); // typed as the interface; yazl's is a PassThrough
  });
  for (const entry of entries) {
    const options = {
      mtime,
      mode: REGULAR_FILE | (entry.executable ? 0o755 : 0o644),
      compress: true,
      compressionLevel: 6,
      forceDosTimestamp: true,
    };
    zip.addReadStreamLazy(entry.path, options, (callback) => {
      readFile(entry.absolutePath).then(
        (bytes) => callback(null, Readable.from([bytes])),
        (error: unknown) => callback(new SourceChangedError(entry.path, error), Readable.from([])),
      );
    });
  }
  zip.end();

  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const partial = `${outFile}.partial-${process.pid}-${Date.now()}`;
  try {
    await pipeline(zip.outputStream, measure, createWriteStream(partial, { mode: 0o644 }));
    await rename(partial, outFile);
  } catch (error) {
    await rm(partial, { force: true });
    throw failure ?? error;
  }
  return { path: outFile, digest: `sha256:${hash.digest('hex')}`, size };
}
