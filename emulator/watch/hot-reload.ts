import { performance } from 'node:perf_hooks';
import { createPathFilter } from '../../artifact/pack/patterns';
import type { Cloud } from '../../common/clouds';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import type { DraftCode, FunctionCode, LocalFunctionCode } from '../code/function-code';
import { eventBase, type ReloadEvent } from '../events/emulator-event';
import type { EmulatorLogger } from '../logger';
import { SourceWatcher } from './source-watcher';

/** A function the emulator can move to new code. */
export interface ReloadTarget {
  /** A function served by two providers is two targets, reloaded one by one. */
  provider: Cloud;
  name: string;
  model: FunctionModel;
  /** Undefined when the code initialises; otherwise why not. */
  tryCode(codeDir: string): Promise<InitProblem | undefined>;
  /** Resolves once the next cold start runs the new code. */
  updateCode(codeDir: string): void | Promise<void>;
}

export interface InitProblem {
  errorType: string;
  message: string;
  /** `file:line` inside the function's source, when the runtime said where. */
  location?: string;
}

export interface HotReloadOptions {
  model: ServiceModel;
  code: LocalFunctionCode;
  targets: ReloadTarget[];
  logger: EmulatorLogger;
  /** Swap without trying the new code first: init errors then reach callers. */
  strict?: boolean;
  /** Called with each function's new code after a swap (e.g. to publish it). */
  onReloaded?(fn: FunctionModel, code: FunctionCode): Promise<void>;
}

/**
 * Edit, save, and the next request runs the new code: changed files are matched to the functions
 * whose package patterns include them, those are repacked like publish, and a new digest is tried
 * on a throw-away instance before it replaces the old one. An unchanged digest (a touch) restarts
 * nothing; a broken change is reported once and the last good version keeps serving.
 */
export class HotReload {
  private readonly watcher: SourceWatcher;
  /** Per target: the zip digest it serves (the last one packed and swapped in). */
  private readonly current = new Map<string, string>();
  /** Per target: the folder it serves (a draft until the pack that follows it agrees). */
  private readonly serving = new Map<string, string>();
  /** Per target: folders that did not start since the last good swap (not tried again). */
  private readonly failed = new Map<string, Set<string>>();
  private readonly reported = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  /** Changed paths not yet handed to a reload. */
  private readonly waiting = new Set<string>();
  private readonly filters = new Map<FunctionModel, (path: string) => boolean>();

  constructor(private readonly options: HotReloadOptions) {
    this.watcher = new SourceWatcher({
      root: options.model.serviceDir,
      onBatch: (paths) => this.enqueue(paths),
    });
  }

  /** Records the digests now serving, then watches. */
  async start(initial: Map<string, FunctionCode>): Promise<void> {
    for (const target of this.options.targets) {
      const code = initial.get(target.name);
      if (!code) continue;
      this.current.set(key(target), code.zipDigest);
      this.serving.set(key(target), code.codeDir);
    }
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await this.running;
  }

  /** Resolves once every batch seen so far has been handled (tests, benchmarks). */
  idle(): Promise<void> {
    return this.running;
  }

  /**
   * Batches that arrive while a reload runs are merged into one: a burst of saves during a slow
   * pack ends in one more pack of the latest files, not one per save.
   */
  private enqueue(paths: string[]): void {
    const idle = this.waiting.size === 0;
    for (const path of paths) this.waiting.add(path);
    if (!idle) return; // already scheduled behind the running reload
    this.running = this.running
      .then(() => {
        const batch = [...this.waiting];
        this.waiting.clear();
        return this.reload(batch);
      })
      .catch((error: unknown) => {
        this.options.logger.line('faasport', `hot reload failed: ${(error as Error).message}`, 'stderr');
      });
  }

  private affected(paths: string[]): ReloadTarget[] {
    return this.options.targets.filter((target) => {
      const filter = this.filterOf(target.model);
      return paths.some((path) => filter(path));
    });
  }

  /**
   * Two steps. First each affected function gets a draft — its last folder with the edited files
   * put in, no pack (function-code.ts) — tried and swapped in: that is what makes a reload as fast
   * with thousands of dependency files as with none. Then the same files are packed like publish;
   * the draft becomes that digest's folder when they agree, and the packed folder replaces it
   * when they do not (a change a draft cannot see, such as a dependency installed meanwhile).
   */
  private async reload(paths: string[]): Promise<void> {
    const started = performance.now();
    const targets = this.affected(paths);
    const servedAfter = new Map<string, number>();
    const drafts = new Map<FunctionModel, Promise<DraftCode>>();
    for (const target of targets) {
      let pending = drafts.get(target.model);
      if (!pending) {
        const filter = this.filterOf(target.model);
        pending = this.options.code
          .draft(
            target.model,
            paths.filter((path) => filter(path)),
          )
          .catch((): DraftCode => ({ kind: 'none' }));
        drafts.set(target.model, pending);
      }
      const draft = await pending;
      if (draft.kind !== 'draft') continue;
      if (await this.swap(target, draft.codeDir)) {
        servedAfter.set(key(target), performance.now() - started);
      }
    }
    const packs = new Map<FunctionModel, Promise<FunctionCode>>();
    for (const target of targets) {
      let pending = packs.get(target.model);
      if (!pending) {
        pending = this.options.code.prepare(target.model);
        packs.set(target.model, pending);
      }
      let code: FunctionCode;
      try {
        code = await pending;
      } catch (error) {
        this.reportOnce(
          target,
          `pack:${(error as Error).message}`,
          `cannot pack the new code: ${(error as Error).message}`,
          { error: (error as Error).message },
        );
        continue;
      }
      const before = this.current.get(key(target));
      const serving = this.serving.get(key(target));
      if (before === code.zipDigest && serving === code.codeDir) continue; // touched, not changed
      if (this.failed.get(key(target))?.has(code.codeDir)) continue; // its draft did not start: said
      if (serving !== code.codeDir && !(await this.swap(target, code.codeDir))) continue;
      await this.options.code.serve(`${target.provider}:${target.model.key}`, code);
      this.current.set(key(target), code.zipDigest);
      const packedIn = performance.now() - started;
      const served = servedAfter.get(key(target));
      this.options.logger.event?.({
        ...reloadEvent(target, 'reloaded'),
        ...(before ? { before } : {}),
        after: code.zipDigest,
        durationMs: served ?? packedIn,
      });
      this.options.logger.line(
        target.name,
        `reloaded ${short(before)} → ${short(code.zipDigest)} in ${(served ?? packedIn).toFixed(0)} ms${served === undefined ? '' : ` (packed like publish in ${packedIn.toFixed(0)} ms)`}; next request starts cold on the new code`,
      );
      await this.options.onReloaded?.(target.model, code);
    }
  }

  /** Tries `codeDir` (unless strict) and moves `target` to it; false when it does not start. */
  private async swap(target: ReloadTarget, codeDir: string): Promise<boolean> {
    if (!this.options.strict) {
      const problem = await target.tryCode(codeDir);
      if (problem) {
        const failed = this.failed.get(key(target)) ?? new Set<string>();
        this.failed.set(key(target), failed.add(codeDir));
        const where = problem.location ? ` at ${problem.location}` : '';
        const before = this.current.get(key(target));
        // Keyed by what went wrong, not by version: a draft and the pack after it (or a file the
        // watcher ignores, such as a log the emulator writes into the folder) are one report.
        this.reportOnce(
          target,
          `start:${problem.errorType}:${problem.location ?? ''}:${problem.message}`,
          `new code does not start: ${problem.errorType}${where}: ${problem.message} — still serving ${short(before)}`,
          {
            ...(before ? { before } : {}),
            error: `${problem.errorType}: ${problem.message}`,
            ...(problem.location ? { location: problem.location } : {}),
          },
        );
        return false;
      }
    }
    await target.updateCode(codeDir);
    this.serving.set(key(target), codeDir);
    this.failed.delete(key(target));
    for (const id of [...this.reported]) if (id.startsWith(`${key(target)}:`)) this.reported.delete(id); // a problem that comes back is news
    await this.options.code.serve(`${target.provider}:${target.model.key}`, { codeDir });
    return true;
  }

  private filterOf(model: FunctionModel): (path: string) => boolean {
    let filter = this.filters.get(model);
    if (!filter) {
      filter = createPathFilter(model.packagePatterns);
      this.filters.set(model, filter);
    }
    return filter;
  }

  private reportOnce(
    target: ReloadTarget,
    problemKey: string,
    message: string,
    facts: Pick<ReloadEvent, 'before' | 'after' | 'error' | 'location'>,
  ): void {
    const id = `${key(target)}:${problemKey}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.options.logger.line(target.name, message, 'stderr');
    this.options.logger.event?.({ ...reloadEvent(target, 'failed'), ...facts });
  }
}

function reloadEvent(target: ReloadTarget, outcome: ReloadEvent['outcome']): ReloadEvent {
  return { ...eventBase(), type: 'reload', provider: target.provider, function: target.name, outcome };
}

function key(target: ReloadTarget): string {
  return `${target.provider}:${target.name}`;
}

function short(digest: string | undefined): string {
  return digest ? digest.replace(/^sha256:/, '').slice(0, 12) : '(none)';
}
