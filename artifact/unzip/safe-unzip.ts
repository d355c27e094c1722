import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { UserError } from '../../common/errors';
import { DEFAULT_UNZIP_LIMITS, type UnzipLimits } from './limits';
import { entriesProblem, S_IFDIR, S_IFMT, unixMode, YAUZL_OPTIONS } from './zip-checks';

export interface ExtractResult {
  files: number;
  bytes: number;
}

/** What a zip entry holds, as its central directory says (the CRC is of the uncompressed bytes). */
export interface EntryContent {
  name: string;
  crc32: number;
  size: number;
  executable: boolean;
}

export interface ExtractOptions {
  limits?: UnzipLimits;
  /**
   * A file that already holds this entry's bytes (a folder extracted from an earlier version of
   * the same code): it is hard-linked instead of inflated. Every other check still applies.
   */
  reuse?(entry: EntryContent): string | undefined;
  /** Called with each file entry extracted, in order (what a later `reuse` may be given). */
  onEntry?(entry: EntryContent): void;
  /**
   * Which entries to extract (all by default); called once for every entry, in order, after its
   * path was checked (a folder entry's name ends in `/`). Every entry is checked against the
   * limits either way.
   */
  select?(entry: EntryContent): boolean;
}

function unsafe(zipPath: string, why: string): UserError {
  return new UserError(`refusing to extract ${zipPath}: ${why}`, {
    hint: 'The zip is malformed or hostile; nothing outside the target folder was written. Rebuild it with faasport publish.',
  });
}

/** Zips up to this size are read into memory first: yauzl reads a file-backed central directory
 * with two small reads per entry, which for 5,000 entries costs more than reading the file. */
const IN_MEMORY_BYTES = 64 * 1024 * 1024;

async function openZip(zipPath: string): Promise<ZipFile> {
  const options = YAUZL_OPTIONS;
  const size = (await stat(zipPath)).size;
  const bytes = size <= IN_MEMORY_BYTES ? await readFile(zipPath) : undefined;
  return new Promise((resolvePromise, reject) => {
    const done = (error: Error | null, zip: ZipFile) =>
      error ? reject(unsafe(zipPath, error.message)) : resolvePromise(zip);
    if (bytes) yauzl.fromBuffer(bytes, options, done);
    else yauzl.open(zipPath, options, done);
  });
}

/** The whole central directory, read before anything is written so every check sees all entries. */
function readEntries(zip: ZipFile, zipPath: string): Promise<Entry[]> {
  return new Promise((resolvePromise, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolvePromise(entries));
    zip.on('error', (error: Error) => reject(unsafe(zipPath, error.message)));
    zip.readEntry();
  });
}

/**
 * An entry's content stream. yauzl inflates and checks sizes inside it as soon as it opens, so a
 * lying entry can fail before the caller pipes it anywhere: the error is kept here (not thrown
 * as an uncaught exception) and the stream is left errored, which `pipeline` then reports.
 */
function openEntry(zip: ZipFile, entry: Entry, zipPath: string): Promise<Readable> {
  return new Promise((resolvePromise, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) {
        reject(unsafe(zipPath, `${entry.fileName}: ${error.message}`));
        return;
      }
      stream.on('error', () => {
        // reported through the stream's errored state by pipeline()
      });
      resolvePromise(stream);
    });
  });
}

/**
 * Creates each folder of `relativeDir` under `root` one level at a time, refusing any level that
 * exists as something other than a real folder (a symlink planted to redirect writes).
 */
async function ensureDirectory(
  root: string,
  relativeDir: string,
  verified: Set<string>,
  zipPath: string,
): Promise<void> {
  let current = root;
  for (const part of relativeDir === '' ? [] : relativeDir.split('/')) {
    current = join(current, part);
    if (verified.has(current)) continue;
    await mkdir(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const info = await lstat(current);
    if (!info.isDirectory()) {
      throw unsafe(zipPath, `${current} exists and is not a folder (a symlink or file is in the way)`);
    }
    verified.add(current);
  }
}

/** Links made at once when a folder reuses an earlier one's files. */
const LINK_BATCH = 64;

/** Hard-links `existing` at `destination`; false when it cannot (gone, another filesystem). */
async function linkFile(existing: string, destination: string, zipPath: string): Promise<boolean> {
  try {
    await link(existing, destination);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw unsafe(zipPath, `${destination} already exists; extraction never overwrites`);
    return false;
  }
}

/**
 * Extracts a zip into `targetDir` (created if missing): regular files and folders only, every
 * path checked to stay inside, nothing written through an existing file or symlink (files are
 * created exclusively), sizes checked against the limits before and while writing.
 */
export async function extractZip(
  zipPath: string,
  targetDir: string,
  options: UnzipLimits | ExtractOptions = DEFAULT_UNZIP_LIMITS,
): Promise<ExtractResult> {
  const {
    limits = DEFAULT_UNZIP_LIMITS,
    reuse,
    onEntry,
    select,
  }: ExtractOptions = 'maxEntries' in options ? { limits: options } : options;
  const root = resolve(targetDir);
  const zip = await openZip(zipPath);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw unsafe(zipPath, `it has ${zip.entryCount} entries, over the limit of ${limits.maxEntries}`);
    }
    const entries = await readEntries(zip, zipPath);
    const problem = entriesProblem(entries, limits);
    if (problem) throw unsafe(zipPath, problem.reason);

    await mkdir(root, { recursive: true });
    const verified = new Set<string>();
    let bytes = 0;
    let files = 0;
    const inflate = async (entry: Entry, destination: string, content: EntryContent): Promise<void> => {
      // O_EXCL|O_CREAT never follows a symlink at the final component; O_NOFOLLOW says so twice.
      const handle = await open(
        destination,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        content.executable ? 0o755 : 0o644,
      ).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' || error.code === 'ELOOP'
          ? unsafe(zipPath, `${destination} already exists; extraction never overwrites`)
          : error;
      });
      // Opened last and piped at once: nothing waits between the two.
      const source = await openEntry(zip, entry, zipPath).catch(async (error: unknown) => {
        await handle.close();
        await unlink(destination);
        throw error;
      });
      let written = 0;
      const budget = limits.maxTotalBytes - bytes;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          callback(
            written > budget
              ? unsafe(zipPath, `it expands to more than ${limits.maxTotalBytes} bytes in total (zip bomb)`)
              : null,
            chunk,
          );
        },
      });
      try {
        // the write stream owns the handle from here and closes it, on success or failure
        await pipeline(source, count, handle.createWriteStream());
      } catch (error) {
        throw error instanceof UserError
          ? error
          : unsafe(zipPath, `${entry.fileName}: ${(error as Error).message}`);
      }
      bytes += written;
      files++;
      onEntry?.(content);
    };
    // Reused files are linked a batch at a time (each link waits on the file system, not on us);
    // one that cannot be linked (its source gone) is inflated like any other.
    let links: { entry: Entry; existing: string; destination: string; content: EntryContent }[] = [];
    const linkBatch = async () => {
      const batch = links;
      links = [];
      const linked = await Promise.all(batch.map((l) => linkFile(l.existing, l.destination, zipPath)));
      for (const [index, item] of batch.entries()) {
        if (!linked[index]) {
          await inflate(item.entry, item.destination, item.content);
          continue;
        }
        bytes += item.content.size;
        files++;
        onEntry?.(item.content);
      }
    };
    for (const entry of entries) {
      const name = entry.fileName.replace(/\/+$/, '');
      const destination = resolve(root, name);
      const inside = relative(root, destination);
      if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
        throw unsafe(zipPath, `entry ${JSON.stringify(entry.fileName)} would land outside the target folder`);
      }
      const mode = unixMode(entry);
      const isDirectory = entry.fileName.endsWith('/') || (mode !== undefined && (mode & S_IFMT) === S_IFDIR);
      if (isDirectory) {
        if (!select || select({ name: `${name}/`, crc32: 0, size: 0, executable: false }))
          await ensureDirectory(root, name, verified, zipPath);
        continue;
      }
      const content: EntryContent = {
        name,
        crc32: entry.crc32,
        size: entry.uncompressedSize,
        executable: mode !== undefined && (mode & 0o111) !== 0,
      };
      if (select && !select(content)) continue;
      const slash = name.lastIndexOf('/');
      await ensureDirectory(root, slash < 0 ? '' : name.slice(0, slash), verified, zipPath);
      const existing = reuse?.(content);
      if (existing !== undefined) {
        links.push({ entry, existing, destination, content });
        if (links.length >= LINK_BATCH) await linkBatch();
        continue;
      }
      await linkBatch();
      await inflate(entry, destination, content);
    }
    await linkBatch();
    return { files, bytes };
  } finally {
    zip.close();
  }
}
