import { createHash, randomBytes } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { packageRoot } from '../../common/package-info';
import { DEPENDENCIES } from './dependency-folders';

/** Where the provided libraries sit inside a hosted code folder (NODE_PATH points here). */
export const PROVIDED_MODULES = join('.faasport-runtime', 'node_modules');

type Package = { dir: string; name: string; version: string };

/**
 * A function's unpacked code plus the libraries a provider's platform supplies (the
 * functions-framework for GCP, @azure/functions for Azure), as one folder an engine can mount.
 * Cloud builders add the same libraries at deploy time when the artefact does not ship them; the
 * code itself is untouched and the function's own copy, when it has one, still wins (the
 * libraries are only on NODE_PATH). Files are hard-linked when they can be (same filesystem),
 * copied otherwise, and each folder is built once per code digest and library set.
 */
export class HostedCode {
  private readonly building = new Map<string, Promise<string>>();
  private packages: Promise<{ list: Package[]; root: string; hash: string }> | undefined;

  constructor(
    /** Parent folder of the hosted folders, e.g. `<service>/.faasport/hosted`. */
    private readonly root: string,
    /** Package names to provide, with everything they depend on. */
    private readonly libraries: string[],
  ) {}

  /** The hosted folder for one unpacked code folder (`<cache>/code/<hex>`). */
  async prepare(codeDir: string): Promise<string> {
    const key = await this.keyOf(codeDir);
    let built = this.building.get(key);
    if (!built) {
      built = this.build(codeDir, join(this.root, key));
      this.building.set(key, built);
      built.catch(() => this.building.delete(key));
    }
    return built;
  }

  /** Removes the hosted folder built from `codeDir` (that folder is gone: nothing runs it). */
  async remove(codeDir: string): Promise<void> {
    const key = await this.keyOf(codeDir);
    this.building.delete(key);
    await rm(join(this.root, key), { recursive: true, force: true });
  }

  /** One hosted folder per code folder (its full path: local and deployed code may share a digest) and library set. */
  private async keyOf(codeDir: string): Promise<string> {
    const { hash } = await this.closure();
    const where = createHash('sha256').update(codeDir).digest('hex').slice(0, 8);
    return `${basename(codeDir).slice(0, 40)}-${where}-${hash}`;
  }

  private closure(): Promise<{ list: Package[]; root: string; hash: string }> {
    this.packages ??= resolveClosure(this.libraries, packageRoot).then(({ list, root }) => ({
      list,
      root,
      hash: createHash('sha256')
        .update(list.map((p) => `${relative(root, p.dir)}@${p.version}`).join('\n'))
        .digest('hex')
        .slice(0, 12),
    }));
    return this.packages;
  }

  private async build(codeDir: string, target: string): Promise<string> {
    if (await exists(target)) return target;
    const { list, root } = await this.closure();
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await mirror(codeDir, partial, () => true);
      const modules = join(partial, PROVIDED_MODULES);
      for (const pkg of list) {
        // Keep nested node_modules positions (version conflicts) relative to the root's node_modules.
        const place = pkg.dir.startsWith(`${root}${sep}`)
          ? relative(join(root, 'node_modules'), pkg.dir)
          : pkg.name;
        await mirror(pkg.dir, join(modules, place), (entry) => entry !== 'node_modules' && entry !== '.bin');
      }
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (await exists(target)) return target;
      throw error;
    }
    return target;
  }
}

/** The packages `names` need, found the way Node finds them from `from`. */
async function resolveClosure(names: string[], from: string): Promise<{ list: Package[]; root: string }> {
  const seen = new Map<string, Package>();
  let root = '';
  const visit = async (name: string, start: string): Promise<void> => {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      const manifest = await readFile(join(candidate, 'package.json'), 'utf8').catch(() => undefined);
      if (manifest !== undefined) {
        if (seen.has(candidate)) return;
        const pkg = JSON.parse(manifest) as { version?: string; dependencies?: Record<string, string> };
        seen.set(candidate, { dir: candidate, name, version: pkg.version ?? '0.0.0' });
        for (const dep of Object.keys(pkg.dependencies ?? {})) await visit(dep, candidate);
        return;
      }
      if (dirname(dir) === dir) throw new Error(`faasport: ${name} is not installed (looked from ${start})`);
    }
  };
  for (const name of names) {
    await visit(name, from);
    const top = [...seen.values()].find((p) => p.name === name);
    // `<root>/node_modules/<name>`: the folder whose node_modules layout is mirrored.
    if (top && !root) root = top.dir.slice(0, top.dir.length - `${sep}node_modules${sep}${name}`.length);
  }
  return { list: [...seen.values()].sort((a, b) => a.dir.localeCompare(b.dir)), root };
}

/**
 * Recreates a tree of files with hard links (copies across filesystems). Symlinks are skipped,
 * except a code folder's own `node_modules` link to its shared dependencies (dependency-folders.ts),
 * which is recreated as it is.
 */
async function mirror(from: string, to: string, keep: (entry: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (!keep(entry.name)) continue;
    const source = join(from, entry.name);
    const dest = join(to, entry.name);
    if (entry.isSymbolicLink() && entry.name === DEPENDENCIES) await symlink(await readlink(source), dest);
    else if (entry.isDirectory()) await mirror(source, dest, () => true);
    else if (entry.isFile()) {
      await link(source, dest).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EXDEV' || error.code === 'EPERM' || error.code === 'EMLINK')
          return copyFile(source, dest);
        throw error;
      });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
