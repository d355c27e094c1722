import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DEFAULT_UNZIP_LIMITS, type UnzipLimits } from './limits';
import { entriesProblem, S_IFDIR, S_IFMT, unixMode, YAUZL_OPTIONS, type ZipProblem } from './zip-checks';

/**
 * Whether zip bytes (an upload) would be unpacked by `extractZip`, without writing anything: the
 * central directory gets the same checks, then every entry is inflated and thrown away, so an
 * entry that lies about its size is caught too. Undefined when the zip is fine.
 */
export async function inspectZip(
  bytes: Buffer,
  limits: UnzipLimits = DEFAULT_UNZIP_LIMITS,
): Promise<ZipProblem | undefined> {
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(bytes, YAUZL_OPTIONS, (error, opened) => (error ? reject(error) : resolve(opened))),
    );
  } catch (error) {
    return { kind: 'corrupt', reason: (error as Error).message };
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      return {
        kind: 'unsafe',
        reason: `it has ${zip.entryCount} entries, over the limit of ${limits.maxEntries}`,
      };
    }
    let entries: Entry[];
    try {
      entries = await readEntries(zip);
    } catch (error) {
      // yauzl refuses `..`, absolute and backslashed names while reading the directory
      return { kind: 'unsafe', reason: (error as Error).message };
    }
    const problem = entriesProblem(entries, limits);
    if (problem) return problem;
    for (const entry of entries) {
      const mode = unixMode(entry);
      if (entry.fileName.endsWith('/') || (mode !== undefined && (mode & S_IFMT) === S_IFDIR)) continue;
      try {
        await pipeline(await openEntry(zip, entry), discard());
      } catch (error) {
        return { kind: 'unsafe', reason: `${entry.fileName}: ${(error as Error).message}` };
      }
    }
    return undefined;
  } finally {
    zip.close();
  }
}

function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** An entry's stream; an error it raises before it is piped stays on it for `pipeline` (see safe-unzip.ts). */
function openEntry(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      stream.on('error', () => undefined);
      resolve(stream);
    }),
  );
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
