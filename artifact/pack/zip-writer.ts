import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** Name inside the zip (`/`-separated, relative). */
  path: string;
  absolutePath: string;
  executable: boolean;
}

export interface WrittenZip {
  path: string;
  digest: string;
  size: number;
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
 * Writes entries, in the order given, to `outFile` with fixed timestamps, fixed modes (0644, or
 * 0755 when the source had any execute bit), no directory entries and no owner information;
 * streamed file by file, hashed on the way, and renamed into place only when complete.
 */
export async function writeDeterministicZip(
  entries: readonly ZipEntry[],
  outFile: string,
  epochSeconds: number,
): Promise<WrittenZip> {
  const mtime = dosDate(epochSeconds);
  const zip = new ZipFile();
  for (const entry of entries) {
    zip.addFile(entry.absolutePath, entry.path, {
      mtime,
      mode: REGULAR_FILE | (entry.executable ? 0o755 : 0o644),
      compress: true,
      compressionLevel: 6,
      forceDosTimestamp: true,
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
    throw error;
  }
  return { path: outFile, digest: `sha256:${hash.digest('hex')}`, size };
}
