import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../common/errors';
import type { CompressedEntryCache } from './entry-cache';
import { createFolderPruner, createPathFilter } from './patterns';
import { productionPackages } from './production-deps';
import { listFiles, type SourceFile } from './walk';
import { SourceChangedError, sourceDateEpoch, type WrittenZip, writeDeterministicZip } from './zip-writer';

export interface PackOptions {
  /** The function's source folder. */
  sourceDir: string;
  /** Serverless `package.patterns`: globs, `!` to exclude, applied in order after the defaults. */
  patterns?: readonly string[];
  /** `production`: pack the runtime dependencies from node_modules; `none`: no node_modules. */
  nodeModules?: 'production' | 'none';
  /** Dependencies that are build tools, not function code (the service's Serverless plugins). */
  excludePackages?: readonly string[];
  /** Seconds since the epoch for every entry; defaults to SOURCE_DATE_EPOCH or 1980-01-01. */
  epochSeconds?: number;
  /** Where to write the zip (its folder is created). */
  outFile: string;
  /** Compressed files kept between packs of the same folder (hot reload); none by default. */
  cache?: CompressedEntryCache;
}

export interface PackResult extends WrittenZip {
  /** Paths inside the zip, in zip order. */
  files: string[];
}

/** How many times a folder whose files vanish while being packed is listed again. */
const ATTEMPTS = 3;

/**
 * Packs a function folder into a deterministic zip: the same files with the same contents give
 * byte-identical output whatever their timestamps, owners, permissions beyond the x bit, or the
 * order the file system lists them in. A file removed while packing (an editor's save-by-rename,
 * a branch switch) means: list the folder again and repack.
 */
export async function packFunction(options: PackOptions): Promise<PackResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await packOnce(options);
    } catch (error) {
      if (!(error instanceof SourceChangedError)) throw error;
      if (attempt >= ATTEMPTS) {
        throw new UserError(`${error.file} kept changing while it was packed (${ATTEMPTS} attempts)`, {
          hint: 'Wait for the tool writing to it to finish, or exclude it with a "!" pattern in package.patterns.',
          cause: error,
        });
      }
    }
  }
}

async function packOnce(options: PackOptions): Promise<PackResult> {
  const root = resolve(options.sourceDir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`function source folder ${root} does not exist or is not a folder`, {
      hint: 'Pass the folder that holds the function code.',
      exitCode: 2,
    });
  }
  const outFile = resolve(options.outFile);
  const include = createPathFilter(options.patterns);

  const pruned = createFolderPruner(options.patterns);

  const files: SourceFile[] = await listFiles(root, (dir) => dir === 'node_modules' || pruned(dir));
  // A pattern set that excludes node_modules whole needs no dependency resolution at all.
  if ((options.nodeModules ?? 'production') === 'production' && !pruned('node_modules')) {
    const packages = (await productionPackages(root, options.excludePackages)).filter((pkg) => !pruned(pkg));
    // Listed all at once (each waits on the file system); each without its own node_modules:
    // those hold packages resolved separately. The zip's order comes from the sort below.
    const listed = await Promise.all(
      packages.map((pkg) =>
        listFiles(resolve(root, pkg), (dir) => dir === 'node_modules' || pruned(`${pkg}/${dir}`)),
      ),
    );
    listed.forEach((inner, index) => {
      for (const file of inner) files.push({ ...file, path: `${packages[index]}/${file.path}` });
    });
  }

  const selected = files
    .filter((file) => include(file.path) && file.absolutePath !== outFile)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of selected) {
    if (file.path.includes('\\')) {
      throw new UserError(`cannot pack "${file.path}": backslashes in file names are not portable in a zip`, {
        hint: 'Rename the file, or exclude it with a "!" pattern in package.patterns.',
      });
    }
  }
  if (selected.length === 0) {
    throw new UserError(`nothing to pack in ${root}: every file was excluded`, {
      hint: 'Check package.patterns; a function needs at least its handler file.',
    });
  }

  await mkdir(dirname(outFile), { recursive: true });
  const written = await writeDeterministicZip(
    selected,
    outFile,
    options.epochSeconds ?? sourceDateEpoch(),
    options.cache,
  );
  return { ...written, files: selected.map((file) => file.path) };
}
