import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readlink, rename, rm, stat, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDigest } from '../../artifact/content/digest';
import { CompressedEntryCache } from '../../artifact/pack/entry-cache';
import { publishFolder } from '../../artifact/publish/publish-folder';
import { LayoutStore } from '../../artifact/store/layout-store';
import { type EntryContent, extractZip } from '../../artifact/unzip/safe-unzip';
import { LOCAL_STATE } from '../../common/local-state';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import { serviceCacheDir } from './cache-dir';
import { DEPENDENCIES, DependencyFolders, isDependency, sameContent } from './dependency-folders';
import { readChanges, writeDraft } from './draft-code';

export interface FunctionCode {
  /** Host folder with the unpacked zip: what /var/task holds. */
  codeDir: string;
  /** Manifest digest: what `faasport publish` would push for this source. */
  digest: string;
  /** Digest of the zip itself. */
  zipDigest: string;
  /** Files in the zip, when it was packed here. */
  files?: number;
}

/**
 * A version made from the last one and the edited files, before any pack: `unchanged` when the
 * edits left every file as it was, `none` when they are more than a draft can carry.
 */
export type DraftCode = { kind: 'draft'; codeDir: string } | { kind: 'unchanged' } | { kind: 'none' };

/** Unpacked folders of earlier runs left untouched this long are removed when the emulator starts. */
const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

/**
 * Runs what would be deployed, not the working tree: each function's source is packed by the
 * publish packer into the service's local OCI layout (`.faasport/store`, tagged with the function
 * key), then the zip is unpacked once per digest into the user's cache (cache-dir.ts), outside the
 * service folder. Functions with the same source and patterns share one digest and one folder.
 *
 * A repack after an edit reads only the changed files (the compressed-entry cache); the new
 * folder hard-links every file it shares with the function's previous one, and its `node_modules`
 * is a link to a folder shared by every version with the same dependency files
 * (dependency-folders.ts), so a reload costs about the same with 5,000 dependency files as with none. Folders no function serves or drains on any more
 * are removed: a folder a function stopped serving is kept for the drain grace (longer than any
 * function's timeout), since requests started on it may still be running.
 */
export class LocalFunctionCode {
  private readonly store: LayoutStore;
  private readonly codeRoot: string;
  private readonly unpacking = new Map<string, Promise<string>>();
  /** Unchanged files are not read or compressed again on a repack (hot reload). */
  private readonly packCache = new CompressedEntryCache();
  /** The entries of each folder this emulator unpacked: what a later version may link from. */
  private readonly unpacked = new Map<string, Map<string, EntryContent>>();
  /** Per function key: the folder last unpacked for it (served, or a trial). */
  private readonly lastUnpacked = new Map<string, string>();
  /** Per function key: how node_modules looked when it was last packed (see dependencyStamp). */
  private readonly packedStamp = new Map<string, string>();
  /** Per function key: the draft made since its last pack, adopted by the next pack that agrees. */
  private readonly drafts = new Map<string, string>();
  /** Per owner (`<cloud>:<function key>`): the folder it serves. */
  private readonly serving = new Map<string, string>();
  /** Folders no owner serves any more, and since when: kept for the drain grace. */
  private readonly retired = new Map<string, number>();
  private collecting: Promise<void> = Promise.resolve();
  private collectTimer: NodeJS.Timeout | undefined;
  private readonly drainGraceMs: number;
  private staleSwept = false;
  private readonly dependencies: DependencyFolders;
  private readonly removedListeners: ((codeDir: string) => Promise<void>)[] = [];

  constructor(
    private readonly model: ServiceModel,
    options: {
      cacheDir?: string;
      /** How long a folder no one serves is kept for requests still running on it (default 15 min). */
      drainGraceMs?: number;
    } = {},
  ) {
    this.drainGraceMs = options.drainGraceMs ?? 15 * 60_000;
    this.store = new LayoutStore(join(model.serviceDir, LOCAL_STATE.store));
    const cache = options.cacheDir ?? serviceCacheDir(model.serviceDir);
    this.codeRoot = join(cache, 'code');
    this.dependencies = new DependencyFolders(join(cache, 'deps'));
  }

  /** Packs and unpacks `fn`'s current source; call `serve` once the function runs it. */
  async prepare(fn: FunctionModel): Promise<FunctionCode> {
    if (!this.staleSwept) {
      this.staleSwept = true;
      await this.sweepStale();
    }
    const stamp = await dependencyStamp(this.model.serviceDir);
    const published = await publishFolder(
      this.store,
      {
        sourceDir: this.model.serviceDir,
        patterns: fn.packagePatterns,
        nodeModules: 'production',
        excludePackages: this.model.plugins,
        cache: this.packCache,
      },
      fn.key,
    );
    const zipDigest = published.layer.digest;
    this.packedStamp.set(fn.key, stamp);
    const draft = this.drafts.get(fn.key);
    this.drafts.delete(fn.key);
    if (draft && published.entries && (await this.holds(draft, published.entries))) {
      // The draft already holds this zip's files: it becomes this digest's folder.
      this.unpacking.set(zipDigest, Promise.resolve(draft));
      return { codeDir: draft, digest: published.manifest.digest, zipDigest, files: published.files };
    }
    let codeDir = this.unpacking.get(zipDigest);
    if (!codeDir) {
      codeDir = this.unpack(zipDigest, this.lastUnpacked.get(fn.key));
      this.unpacking.set(zipDigest, codeDir);
      codeDir.catch(() => this.unpacking.delete(zipDigest));
    }
    const dir = await codeDir;
    this.lastUnpacked.set(fn.key, dir);
    return { codeDir: dir, digest: published.manifest.digest, zipDigest, files: published.files };
  }

  /**
   * The function's last folder with the edited `paths` (relative, matched to its patterns) put
   * in, without packing: what a reload serves first, while `prepare` packs the same files like
   * publish. Unchanged files are hard links; `node_modules` is the same shared folder. The next
   * `prepare` adopts the draft when its zip holds the same files, and unpacks its own otherwise.
   */
  async draft(fn: FunctionModel, paths: readonly string[]): Promise<DraftCode> {
    const previous = this.lastUnpacked.get(fn.key);
    const index = previous ? this.unpacked.get(previous) : undefined;
    if (!previous || !index) return { kind: 'none' };
    // An install since the last pack: the draft would pair the edit with the old dependencies.
    if (this.packedStamp.get(fn.key) !== (await dependencyStamp(this.model.serviceDir)))
      return { kind: 'none' };
    const changes = await readChanges(this.model.serviceDir, paths, index).catch(() => undefined);
    if (!changes) return { kind: 'none' };
    if (changes.length === 0) return { kind: 'unchanged' };
    await mkdir(this.codeRoot, { recursive: true });
    const made = await writeDraft(this.codeRoot, previous, index, changes);
    this.unpacked.set(made.dir, made.index);
    this.lastUnpacked.set(fn.key, made.dir);
    this.drafts.set(fn.key, made.dir);
    return { kind: 'draft', codeDir: made.dir };
  }

  /** Whether `dir` holds exactly the files of `entries` (dependencies through its link). */
  private async holds(dir: string, entries: readonly EntryContent[]): Promise<boolean> {
    const index = this.unpacked.get(dir);
    if (!index) return false;
    const dependencies: EntryContent[] = [];
    let files = 0;
    for (const entry of entries) {
      if (isDependency(entry.name)) {
        dependencies.push(entry);
        continue;
      }
      const known = index.get(entry.name);
      if (!known || !sameContent(known, entry)) return false;
      files++;
    }
    if (files !== index.size) return false;
    const linked = await readlink(join(dir, DEPENDENCIES)).catch(() => undefined);
    if (dependencies.length === 0) return linked === undefined;
    return linked === join(this.dependencies.folderFor(dependencies), DEPENDENCIES);
  }

  /** Called with each code folder removed (what was built from it can go too). */
  onRemoved(listener: (codeDir: string) => Promise<void>): void {
    this.removedListeners.push(listener);
  }

  /**
   * `owner` (one provider's copy of a function, e.g. `gcp:hello`) now serves `code`. The folder it
   * served before is kept while requests started on it may still run — the drain grace, longer
   * than any function's timeout — then removed with everything else nothing serves.
   */
  async serve(owner: string, code: Pick<FunctionCode, 'codeDir'>): Promise<void> {
    const before = this.serving.get(owner);
    if (before === code.codeDir) return;
    this.serving.set(owner, code.codeDir);
    this.retired.delete(code.codeDir);
    if (before && ![...this.serving.values()].includes(before)) this.retired.set(before, Date.now());
    const now = new Date();
    await utimes(code.codeDir, now, now).catch(() => {}); // in use: not stale for the start-up sweep
    await this.collect();
  }

  /** Stops the timer that collects drained folders. */
  close(): void {
    if (this.collectTimer) clearTimeout(this.collectTimer);
    this.collectTimer = undefined;
  }

  /** Removes folders nothing serves or drains on (one collection at a time). */
  private collect(): Promise<void> {
    this.collecting = this.collecting.then(() => this.collectNow()).catch(() => {});
    return this.collecting;
  }

  private async collectNow(): Promise<void> {
    const now = Date.now();
    const kept = new Set(this.serving.values());
    for (const last of this.lastUnpacked.values()) kept.add(last); // what the next version links from
    let nextDue: number | undefined;
    for (const [dir, since] of this.retired) {
      if (now - since < this.drainGraceMs) {
        kept.add(dir);
        nextDue = Math.min(nextDue ?? Number.POSITIVE_INFINITY, since + this.drainGraceMs);
      }
    }
    for (const dir of [...this.unpacked.keys()]) {
      if (kept.has(dir)) continue;
      this.unpacked.delete(dir);
      this.retired.delete(dir);
      for (const [digest, pending] of [...this.unpacking]) {
        if ((await pending.catch(() => undefined)) === dir) this.unpacking.delete(digest);
      }
      await rm(dir, { recursive: true, force: true });
      for (const listener of this.removedListeners) await listener(dir);
    }
    const linked = new Set<string>();
    const touched = new Date(now);
    for (const dir of kept) {
      const target = await readlink(join(dir, DEPENDENCIES)).catch(() => undefined);
      if (!target) continue;
      linked.add(dirname(target));
      await utimes(dirname(target), touched, touched).catch(() => {});
    }
    await this.dependencies.retain(linked);
    if (this.collectTimer) clearTimeout(this.collectTimer);
    this.collectTimer = undefined;
    if (nextDue !== undefined) {
      this.collectTimer = setTimeout(() => void this.collect(), Math.max(0, nextDue - Date.now()) + 50);
      this.collectTimer.unref();
    }
  }

  /** Unpacks into a temporary sibling then renames, so a folder that exists is always complete. */
  private async unpack(zipDigest: string, previous: string | undefined): Promise<string> {
    const { algorithm, hex } = parseDigest(zipDigest);
    const target = join(this.codeRoot, hex);
    if (await exists(target)) return target;
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    const index = new Map<string, EntryContent>();
    const before = previous ? this.unpacked.get(previous) : undefined;
    const zipPath = join(this.store.root, 'blobs', algorithm, hex);
    const dependencies: EntryContent[] = [];
    try {
      await extractZip(zipPath, partial, {
        // node_modules goes to a folder shared by every version with the same dependencies.
        select: (entry) => {
          if (!isDependency(entry.name)) return true;
          if (!entry.name.endsWith('/')) dependencies.push(entry);
          return false;
        },
        reuse: (entry) => {
          const known = before?.get(entry.name);
          return previous && known && sameContent(known, entry) ? join(previous, entry.name) : undefined;
        },
        onEntry: (entry) => index.set(entry.name, entry),
      });
      if (dependencies.length > 0) {
        const shared = await this.dependencies.prepare(zipPath, dependencies);
        await symlink(join(shared, DEPENDENCIES), join(partial, DEPENDENCIES));
      }
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (await exists(target)) return target; // another run won the race
      throw error;
    }
    this.unpacked.set(target, index);
    return target;
  }

  /** Folders earlier runs left behind (a crash, a kill -9) and nobody touched for a week. */
  private async sweepStale(): Promise<void> {
    await this.dependencies.sweep(STALE_AFTER_MS);
    const cutoff = Date.now() - STALE_AFTER_MS;
    // Hosted copies (code plus a provider's libraries) are built from code folders: same age rule.
    for (const root of [this.codeRoot, join(dirname(this.codeRoot), 'hosted')]) {
      for (const name of await readdir(root).catch(() => [] as string[])) {
        const dir = join(root, name);
        const info = await stat(dir).catch(() => undefined);
        if (info && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
      }
    }
  }
}

/**
 * What changes when packages are installed or removed, read in two stats: the modification time
 * of `node_modules` (entries added, removed, renamed) and of npm's hidden lockfile, which every
 * `npm install` rewrites. An edit inside an installed file changes neither; the pack after the
 * draft sees it.
 */
async function dependencyStamp(serviceDir: string): Promise<string> {
  const times = await Promise.all(
    [DEPENDENCIES, `${DEPENDENCIES}/.package-lock.json`].map((path) =>
      stat(join(serviceDir, path), { bigint: true }).then(
        (info) => `${info.ino}:${info.mtimeNs}`,
        () => '-',
      ),
    ),
  );
  return times.join('/');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
