import { performance } from 'node:perf_hooks';
import { createPathFilter } from '../../artifact/pack/patterns';
import type { Cloud } from '../../common/clouds';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import type { FunctionCode, LocalFunctionCode } from '../code/function-code';
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
  private readonly current = new Map<string, string>();
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
      if (code) this.current.set(key(target), code.zipDigest);
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
      let filter = this.filters.get(target.model);
      if (!filter) {
        filter = createPathFilter(target.model.packagePatterns);
        this.filters.set(target.model, filter);
      }
      return paths.some((path) => filter(path));
    });
  }

  private async reload(paths: string[]): Promise<void> {
    const started = performance.now();
    for (const target of this.affected(paths)) {
      let code: FunctionCode;
      try {
        code = await this.options.code.prepare(target.model);
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
      if (before === code.zipDigest) continue; // touched, not changed
      if (!this.options.strict) {
        const problem = await target.tryCode(code.codeDir);
        if (problem) {
          const where = problem.location ? ` at ${problem.location}` : '';
          this.reportOnce(
            target,
            `${code.zipDigest}:${problem.errorType}`,
            `new code does not start: ${problem.errorType}${where}: ${problem.message} — still serving ${short(before)}`,
            {
              ...(before ? { before } : {}),
              after: code.zipDigest,
              error: `${problem.errorType}: ${problem.message}`,
              ...(problem.location ? { location: problem.location } : {}),
            },
          );
          continue;
        }
      }
      await target.updateCode(code.codeDir);
      await this.options.code.serve(`${target.provider}:${target.model.key}`, code);
      this.current.set(key(target), code.zipDigest);
      this.options.logger.event?.({
        ...reloadEvent(target, 'reloaded'),
        ...(before ? { before } : {}),
        after: code.zipDigest,
        durationMs: performance.now() - started,
      });
      this.options.logger.line(
        target.name,
        `reloaded ${short(before)} → ${short(code.zipDigest)} in ${(performance.now() - started).toFixed(0)} ms; next request starts cold on the new code`,
      );
      await this.options.onReloaded?.(target.model, code);
    }
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
