import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { EntryContent } from '../../artifact/unzip/safe-unzip';
import { DEPENDENCIES, isDependency, sameContent } from './dependency-folders';

/** A source file as the next zip will hold it, or gone from it. */
export type DraftChange =
  | { kind: 'written'; entry: EntryContent; bytes: Buffer }
  | { kind: 'removed'; name: string };

/** Larger files go through the packer: a draft is for the edit-save loop, not for data files. */
const MAX_DRAFT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Files whose edit can change more than themselves: the production dependencies come from
 * package.json, so an edit there waits for the full pack.
 */
const PACKED_ONLY = new Set(['package.json']);

/**
 * Reads the changed paths (relative, `/`-separated, already matched to the function's package
 * patterns) as the packer would record them, or undefined when one is not a plain file edit a
 * draft can carry: a folder, a link, a dependency, a very large file. Changes that leave a file's
 * entry as it was (a touch, a save of the same text) are left out.
 */
export async function readChanges(
  sourceDir: string,
  paths: readonly string[],
  index: ReadonlyMap<string, EntryContent>,
): Promise<DraftChange[] | undefined> {
  const changes: DraftChange[] = [];
  for (const name of paths) {
    if (isDependency(name) || PACKED_ONLY.has(name)) return undefined;
    const info = await lstat(join(sourceDir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      if (index.has(name)) changes.push({ kind: 'removed', name });
      continue;
    }
    if (!info.isFile() || info.size > MAX_DRAFT_FILE_BYTES) return undefined;
    const bytes = await readFile(join(sourceDir, name));
    const entry: EntryContent = {
      name,
      crc32: crc32(bytes) >>> 0,
      size: bytes.length,
      executable: (info.mode & 0o111) !== 0,
    };
    const known = index.get(name);
    if (!known || !sameContent(known, entry)) changes.push({ kind: 'written', entry, bytes });
  }
  return changes;
}

/**
 * Makes `<root>/draft-<random>`: the folder `previous` (whose files are `index`) with `changes`
 * applied. Unchanged files are hard links to the previous folder's (they are never written in
 * place), the `node_modules` link is copied. Returns the folder and the index of its files.
 */
export async function writeDraft(
  root: string,
  previous: string,
  index: ReadonlyMap<string, EntryContent>,
  changes: readonly DraftChange[],
): Promise<{ dir: string; index: Map<string, EntryContent> }> {
  const id = randomBytes(8).toString('hex');
  const dir = join(root, `draft-${id}`);
  const partial = `${dir}.partial`;
  const next = new Map(index);
  const written = new Map<string, Buffer>();
  for (const change of changes) {
    if (change.kind === 'removed') next.delete(change.name);
    else {
      next.set(change.entry.name, change.entry);
      written.set(change.entry.name, change.bytes);
    }
  }
  const made = new Set<string>();
  const folder = async (file: string) => {
    const parent = dirname(file);
    if (made.has(parent)) return;
    await mkdir(parent, { recursive: true });
    made.add(parent);
  };
  try {
    await mkdir(partial, { recursive: true });
    made.add(partial);
    for (const [name, entry] of next) {
      const target = join(partial, name);
      await folder(target);
      const bytes = written.get(name);
      if (bytes) await writeFile(target, bytes, { mode: entry.executable ? 0o755 : 0o644, flag: 'wx' });
      else await link(join(previous, name), target);
    }
    const dependencies = await readlink(join(previous, DEPENDENCIES)).catch(() => undefined);
    if (dependencies) await symlink(dependencies, join(partial, DEPENDENCIES));
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
  return { dir, index: next };
}
