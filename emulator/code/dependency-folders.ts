import { createHash, randomBytes } from 'node:crypto';
import { readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { type EntryContent, extractZip } from '../../artifact/unzip/safe-unzip';

/** Where a Node function's dependencies sit in its zip (and in its code folder). */
export const DEPENDENCIES = 'node_modules';

export function isDependency(name: string): boolean {
  return name.startsWith(`${DEPENDENCIES}/`);
}

/**
 * The `node_modules` of unpacked functions, one folder per distinct set of dependency files
 * (name, CRC, size, mode), shared by every code folder whose zip holds that set: a code folder
 * links to it (`node_modules` → `<deps>/<key>/node_modules`). An edit of a handler in a service
 * with thousands of dependency files then unpacks a handful of files, not thousands. A new set
 * (a package added) hard-links what it shares with the set before it.
 */
export class DependencyFolders {
  private readonly building = new Map<string, Promise<string>>();
  /** The entries of each folder made here: what the next set may link from. */
  private readonly made = new Map<string, Map<string, EntryContent>>();
  private last: string | undefined;

  constructor(private readonly root: string) {}

  /** Where the folder holding `entries` (a zip's dependency files) is, or would be. */
  folderFor(entries: readonly EntryContent[]): string {
    return join(this.root, keyOf(entries));
  }

  /** The folder holding `entries` (the zip's dependency files), extracted from `zipPath` if new. */
  prepare(zipPath: string, entries: readonly EntryContent[]): Promise<string> {
    const dir = this.folderFor(entries);
    let pending = this.building.get(dir);
    if (!pending) {
      pending = this.extract(zipPath, dir);
      this.building.set(dir, pending);
      pending.catch(() => this.building.delete(dir));
    }
    return pending;
  }

  /** Removes the folders made here that no code folder in `used` links to. */
  async retain(used: ReadonlySet<string>): Promise<void> {
    for (const dir of [...this.made.keys()]) {
      if (used.has(dir) || dir === this.last) continue;
      this.made.delete(dir);
      this.building.delete(dir);
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Folders no run touched for `maxAgeMs` (a crash left them): removed. */
  async sweep(maxAgeMs: number): Promise<void> {
    const cutoff = Date.now() - maxAgeMs;
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const dir = join(this.root, name);
      const info = await stat(dir).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
    }
  }

  private async extract(zipPath: string, dir: string): Promise<string> {
    if (await exists(dir)) return dir;
    const partial = `${dir}.partial-${randomBytes(4).toString('hex')}`;
    const previous = this.last;
    const before = previous ? this.made.get(previous) : undefined;
    const index = new Map<string, EntryContent>();
    try {
      await extractZip(zipPath, partial, {
        select: (entry) => isDependency(entry.name),
        reuse: (entry) => {
          const known = before?.get(entry.name);
          return previous && known && sameContent(known, entry) ? join(previous, entry.name) : undefined;
        },
        onEntry: (entry) => index.set(entry.name, entry),
      });
      await rename(partial, dir);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (await exists(dir)) return dir;
      throw error;
    }
    this.made.set(dir, index);
    this.last = dir;
    return dir;
  }
}

/**
 * The shared dependencies folder a code folder's `node_modules` link points to, when it is one
 * that DependencyFolders made (`…/deps/<key>/node_modules`, an absolute path a bind mount can
 * carry): anything else — a link the user's zip could never create, but a tampered cache could —
 * is not mounted.
 */
export async function linkedDependencies(codeDir: string): Promise<string | undefined> {
  const target = await readlink(join(codeDir, DEPENDENCIES)).catch(() => undefined);
  if (!target || !isAbsolute(target) || normalize(target) !== target) return undefined;
  return SHARED_DEPENDENCIES.test(target) ? target : undefined;
}

const SHARED_DEPENDENCIES = /^\/[^:,]*\/deps\/[0-9a-f]{32}\/node_modules$/;

/** The same dependency files, whatever the order the zip lists them in, give the same key. */
function keyOf(entries: readonly EntryContent[]): string {
  const hash = createHash('sha256');
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    hash.update(`${entry.name}\0${entry.crc32}\0${entry.size}\0${entry.executable ? 1 : 0}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

export function sameContent(a: EntryContent, b: EntryContent): boolean {
  return a.crc32 === b.crc32 && a.size === b.size && a.executable === b.executable;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
