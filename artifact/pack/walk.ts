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
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const absolutePath = join(dir, entry.name);
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (!relative && PRUNED_AT_ROOT.has(entry.name)) continue;
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(absolutePath);
      } catch (error) {
        // Removed between readdir and stat (an editor's save, a branch switch): not there.
        if (isGone(error) && !entry.isSymbolicLink()) continue;
        if (entry.isSymbolicLink()) {
          throw new UserError(`broken symlink in the function folder: ${absolutePath}`, {
            hint: 'Remove it or exclude it with a "!" pattern in package.patterns.',
            cause: error,
          });
        }
        throw error;
      }
      if (info.isDirectory()) {
        if (!skip(path))
          await visit(absolutePath, path, seen).catch((error: unknown) => {
            if (!isGone(error)) throw error; // a folder removed while listed is not there either
          });
      } else if (info.isFile()) {
        files.push({ path, absolutePath, executable: (info.mode & 0o111) !== 0 });
      }
      // sockets, fifos and devices are not function code: left out
    }
  };
  await visit(root, '', new Set());
  return files;
}

function isGone(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
