import { statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPathFilter } from '../../artifact/pack/patterns';
import type { ImageBuildSettings } from '../../common/service/image-build';
import type { FunctionModel } from '../../common/service/service-model';
import type { EmulatorLogger } from '../logger';
import { type BuildRun, runBuild } from './build-command';
import type { InitProblem } from './hot-reload';
import { SourceWatcher } from './source-watcher';

/** A container-image function the emulator can move to a rebuilt image. */
export interface ImageReloadTarget {
  name: string;
  model: FunctionModel & { imageBuild: ImageBuildSettings };
  /** The reference instances start from now (the function's sourceArtifact). */
  reference: string;
  /** Undefined when the image initialises; otherwise why not. */
  tryImage(imageId: string): Promise<InitProblem | undefined>;
  /** Keeps running the current image by id (a rebuild moving the tag must not leak into cold starts). */
  pinImage(imageId: string): void;
  /** The next cold start runs the new image; in-flight invocations finish on the old one. */
  updateImage(imageId: string): void;
}

export interface ImageRebuildOptions {
  serviceDir: string;
  targets: ImageReloadTarget[];
  /** The engine's id for an image reference, undefined when it has no such image. */
  imageId(reference: string): Promise<string | undefined>;
  logger: EmulatorLogger;
  /** Swap without trying the new image first: init errors then reach callers. */
  strict?: boolean;
}

/**
 * Hot reload for container-image functions that say how they are built (`image.build`): a change
 * to their watched files runs the build, and a new image id is tried on a throw-away instance
 * before it replaces the old one. One build at a time per function; changes during a build mean
 * one more build after it. A failed build is reported once and the old image keeps serving.
 */
export class ImageRebuild {
  private readonly watcher: SourceWatcher;
  private readonly builders: FunctionBuilder[];

  constructor(options: ImageRebuildOptions) {
    this.builders = options.targets.map((target) => new FunctionBuilder(target, options));
    this.watcher = new SourceWatcher({
      root: options.serviceDir,
      onBatch: (paths) => {
        for (const builder of this.builders) builder.changed(paths);
      },
    });
  }

  /** Pins each function to the image id it runs now, then watches. */
  async start(): Promise<void> {
    await Promise.all(this.builders.map((builder) => builder.pin()));
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher.stop();
    await Promise.all(this.builders.map((builder) => builder.stop()));
  }

  /** Resolves once every build started so far (and any it queued) has finished (tests). */
  async idle(): Promise<void> {
    await Promise.all(this.builders.map((builder) => builder.idle()));
  }
}

class FunctionBuilder {
  private readonly watched: (path: string) => boolean;
  private readonly tag: string;
  private current: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private build: BuildRun | undefined;
  private readonly reported = new Set<string>();
  private lastChange = '';
  /** The last image id whose trial failed: rebuilding to it again is not retried. */
  private broken: string | undefined;

  constructor(
    private readonly target: ImageReloadTarget,
    private readonly options: ImageRebuildOptions,
  ) {
    const settings = target.model.imageBuild;
    this.tag = settings.tag ?? target.reference;
    this.watched = createPathFilter(['!**', ...watchGlobs(settings, options.serviceDir)]);
  }

  async pin(): Promise<void> {
    this.current = await this.options.imageId(this.target.reference);
    if (this.current) this.target.pinImage(this.current);
  }

  changed(paths: string[]): void {
    const hit = paths.find((path) => this.watched(path));
    if (hit === undefined || this.stopped) return;
    this.lastChange = hit;
    if (this.running) {
      // However many changes land during a build, they make one more build after it.
      if (!this.again) this.line(`${hit} changed during the build: one more build after it`);
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.build?.cancel();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.rebuild();
      } catch (error) {
        this.line(`image reload failed: ${(error as Error).message}`, 'stderr');
      }
    } while (this.again && !this.stopped);
  }

  private async rebuild(): Promise<void> {
    const { build } = this.target.model.imageBuild;
    const started = performance.now();
    this.line(`${this.lastChange} changed: building the image (${build.join(' ')})`);
    this.build = runBuild(build, this.options.serviceDir, (text, stream) =>
      this.line(`build | ${text}`, stream),
    );
    const outcome = await this.build.done;
    this.build = undefined;
    if (this.stopped) return;
    if (!outcome.ok) {
      // Keyed on how it ended and its last line (the error), not on progress lines that vary.
      this.reportOnce(`build:${outcome.how}:${outcome.tail.at(-1) ?? ''}`, [
        `image build failed (${outcome.how}) — still serving ${short(this.current)}; last lines:`,
        ...outcome.tail.map((text) => `  ${text}`),
      ]);
      return;
    }
    const buildMs = performance.now() - started;
    const built = await this.options.imageId(this.tag);
    if (!built) {
      this.reportOnce(`missing:${this.tag}`, [
        `the build succeeded but the engine has no image ${this.tag} — still serving ${short(this.current)}; set functions.${this.target.model.key}.image.tag to the reference the build tags`,
      ]);
      return;
    }
    if (built === this.current || built === this.broken) {
      // A rebuild back to what runs, or to an image already found not to start, changes nothing.
      if (built === this.current) {
        this.reported.clear(); // healthy again: a later failure is news
        this.line(`image unchanged (${short(built)}): nothing restarts`);
      }
      return;
    }
    if (!this.options.strict) {
      const problem = await this.target.tryImage(built);
      if (this.stopped) return;
      if (problem) {
        this.broken = built;
        const where = problem.location ? ` at ${problem.location}` : '';
        this.reportOnce(`${built}:${problem.errorType}`, [
          `new image ${short(built)} does not start: ${problem.errorType}${where}: ${problem.message} — still serving ${short(this.current)}`,
        ]);
        return;
      }
    }
    const before = this.current;
    this.target.updateImage(built);
    this.current = built;
    this.reported.clear();
    this.line(
      `reloaded image ${short(before)} → ${short(built)} in ${(performance.now() - started).toFixed(0)} ms (build ${buildMs.toFixed(0)} ms); next request starts cold on the new image`,
    );
  }

  private reportOnce(key: string, lines: string[]): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    for (const text of lines) this.line(text, 'stderr');
  }

  private line(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.options.logger.line(this.target.name, text, stream);
  }
}

/**
 * What a function's build watches: its `watch` globs, else the folder the command names last
 * when that is a folder inside the service (the `<context>` of `docker build … <context>`), else
 * the whole service folder.
 */
export function watchGlobs(settings: ImageBuildSettings, serviceDir: string): string[] {
  if (settings.watch) return settings.watch;
  const last = settings.build[settings.build.length - 1] ?? '';
  const folder = relative(serviceDir, join(serviceDir, last));
  const inside = !isAbsolute(last) && folder !== '..' && !folder.startsWith(`..${sep}`);
  if (settings.build.length > 1 && inside && isFolder(join(serviceDir, folder))) {
    return folder === '' ? ['**'] : [`${folder.split(sep).join('/')}/**`];
  }
  return ['**'];
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function short(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : '(none)';
}
