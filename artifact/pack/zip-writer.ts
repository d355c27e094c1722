import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
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
 * streamed file by file, hashed on the way, and renamed into place only when complete.
 *
 * Each file is read whole when its turn comes and handed to yazl as one chunk, so a file that
 * grows or shrinks meanwhile cannot make the entry disagree with its own size (yazl's addFile
 * stats first and reads later, and reports a mismatch as an 'error' event that nobody awaits).
 * The bytes written are the same as addFile's: sizes unknown up front, data descriptors after.
 */
export async function writeDeterministicZip(
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
