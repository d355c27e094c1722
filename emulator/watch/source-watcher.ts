import { fstatSync, statSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';

export interface SourceWatcherOptions {
  root: string;
  /** Quiet time after the last change before a batch is delivered. */
  debounceMs?: number;
  /** A batch is delivered at the latest this long after its first change (steady edits). */
  maxWaitMs?: number;
  onBatch(paths: string[]): void;
}

const IGNORED_DIRS = new Set(['node_modules', '.git', '.faasport', '.serverless']);

/**
 * Files this process writes its own output to (`faasport dev > dev.log` inside the service
 * folder), as device:inode: a change there is our own log line, and reloading on it would log
 * another line, forever.
 */
function ownOutputFiles(): Set<string> {
  const files = new Set<string>();
  for (const fd of [1, 2]) {
    try {
      const info = fstatSync(fd);
      if (info.isFile()) files.add(`${info.dev}:${info.ino}`);
    } catch {
      // closed descriptor: nothing to ignore
    }
  }
  return files;
}

function isOneOf(path: string, files: ReadonlySet<string>): boolean {
  if (files.size === 0) return false;
  try {
    const info = statSync(path);
    return files.has(`${info.dev}:${info.ino}`);
  } catch {
    return false;
  }
}

/**
 * Watches a service folder and delivers changed paths (relative, `/`-separated) in debounced
 * batches, so an editor's save-rename-chmod burst or a `git checkout` is one reload.
 */
export class SourceWatcher {
  private watcher: FSWatcher | undefined;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private firstAt = 0;
  private readonly ownOutput = ownOutputFiles();

  constructor(private readonly options: SourceWatcherOptions) {}

  async start(): Promise<void> {
    const { root } = this.options;
    this.watcher = watch(root, {
      ignoreInitial: true,
      ignored: (path) =>
        relative(root, path)
          .split(sep)
          .some((part) => IGNORED_DIRS.has(part)),
    });
    for (const event of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) {
      this.watcher.on(event, (path: string) => this.record(path));
    }
    await new Promise<void>((resolve, reject) => {
      this.watcher?.once('ready', () => resolve());
      this.watcher?.once('error', reject);
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }

  private record(path: string): void {
    if (isOneOf(path, this.ownOutput)) return;
    const now = Date.now();
    if (this.pending.size === 0) this.firstAt = now;
    this.pending.add(relative(this.options.root, path).split(sep).join('/'));
    if (this.timer) clearTimeout(this.timer);
    const debounce = this.options.debounceMs ?? 40;
    const wait = Math.min(debounce, Math.max(0, this.firstAt + (this.options.maxWaitMs ?? 500) - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    const paths = [...this.pending];
    this.pending = new Set();
    this.timer = undefined;
    if (paths.length) this.options.onBatch(paths);
  }
}
