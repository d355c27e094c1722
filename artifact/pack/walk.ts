import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../common/errors';
import { LOCAL_STATE_DIR } from '../../common/local-state';

export interface SourceFile {
  /** Path inside the zip: relative, `/`-separated. */
  path: string;
  /** Where to read it. */
  absolutePath: string;
  /** Any execute bit set on the source file. */
  executable: boolean;
  /**
   * Device, inode, size, mtime and ctime (ns) when listed: equal identities mean an unchanged
   * file, so its compressed bytes can be reused (entry-cache.ts).
   */
  identity: string;
}

/** Folders never packed from the top of a function folder (state of tools, not code). */
const PRUNED_AT_ROOT = new Set(['.git', '.serverless', LOCAL_STATE_DIR]);

/**
 * Lists the regular files below `root` (symlinks followed, as Serverless does; a symlink loop is
 * an error). `skip` prunes whole folders by relative path, e.g. the root `node_modules` that
 * dependency resolution handles.
 */
export async function listFiles(
  root: string,
  skip: (relativeDir: string) => boolean = () => false,
): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const visit = async (dir: string, relative: string, ancestors: ReadonlySet<string>): Promise<void> => {
    const real = await realpath(dir);
    if (ancestors.has(real)) {
      throw new UserError(`symlink loop at ${dir}`, {
        hint: 'Remove the link that points back into its own folder.',
      });
    }
    const seen = new Set(ancestors).add(real);
    const entries = (await readdir(dir, { withFileTypes: true })).filter(
      (entry) => relative || !PRUNED_AT_ROOT.has(entry.name),
    );
    // Stats of one folder, and its subfolders, run at once: a dependency tree is thousands of
    // files, and each stat waits on the file system, not on us.
    const infos = await Promise.all(
      entries.map(async (entry) => {
        const absolutePath = join(dir, entry.name);
        try {
          return await stat(absolutePath, { bigint: true });
        } catch (error) {
          // Removed between readdir and stat (an editor's save, a branch switch): not there.
          if (isGone(error) && !entry.isSymbolicLink()) return undefined;
          if (entry.isSymbolicLink()) {
            throw new UserError(`broken symlink in the function folder: ${absolutePath}`, {
              hint: 'Remove it or exclude it with a "!" pattern in package.patterns.',
              cause: error,
            });
          }
          throw error;
        }
      }),
    );
    const folders: Promise<void>[] = [];
    entries.forEach((entry, index) => {
      const info = infos[index];
      if (!info) return;
      const absolutePath = join(dir, entry.name);
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (info.isDirectory()) {
        if (!skip(path))
          folders.push(
            visit(absolutePath, path, seen).catch((error: unknown) => {
              if (!isGone(error)) throw error; // a folder removed while listed is not there either
            }),
          );
      } else if (info.isFile()) {
        files.push({
          path,
          absolutePath,
          executable: (info.mode & 0o111n) !== 0n,
          identity: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
        });
      }
      // sockets, fifos and devices are not function code: left out
    });
    await Promise.all(folders);
  };
  await visit(root, '', new Set());
  return files;
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
