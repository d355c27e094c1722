import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../common/errors';
import { packageRoot } from '../../common/package-info';
import {
  DEFAULT_STOP_GRACE_MS,
  type Engine,
  type EngineInstance,
  type InstanceExit,
  type InstancePaths,
  type InstanceSpec,
} from './engine';
import { instanceOutputLines } from './log-line-limit';

export const RUNTIMES_DIR = join(packageRoot, 'emulator', 'runtimes');

export interface ProcessEngineOptions {
  /** Interpreter per language; defaults: this Node binary, `python3` from PATH. */
  interpreters?: Partial<Record<InstanceSpec['language'], string>>;
  /** How often resident memory is sampled to enforce `memoryMb`. */
  memoryPollMs?: number;
  /** Between SIGTERM and SIGKILL when an instance is stopped (default 10 s). */
  stopGraceMs?: number;
}

/**
 * Runs each instance as a child process on this machine: no Docker needed, same lifecycle and
 * Runtime API, less isolation (the host's filesystem and interpreter versions). Memory is
 * enforced by sampling the process's resident set and killing it past the limit.
 */
export class ProcessEngine implements Engine {
  readonly name = 'process';
  private readonly interpreters: Record<InstanceSpec['language'], string>;
  private readonly memoryPollMs: number;
  private readonly stopGraceMs: number;

  constructor(options: ProcessEngineOptions = {}) {
    this.interpreters = { node: process.execPath, python: 'python3', ...options.interpreters };
    this.memoryPollMs = options.memoryPollMs ?? 250;
    this.stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
  }

  paths(spec: Pick<InstanceSpec, 'codeDir'>): InstancePaths {
    return { taskRoot: spec.codeDir, runtimeDir: RUNTIMES_DIR };
  }

  async start(spec: InstanceSpec): Promise<EngineInstance> {
    if (spec.image) {
      throw new UserError(
        `${spec.labels['org.faasport.function'] ?? spec.name} is a container image, which needs the docker engine`,
        {
          hint: 'Start Docker (or set DOCKER_HOST) and use --engine docker.',
        },
      );
    }
    const child = spawn(this.interpreters[spec.language], [join(RUNTIMES_DIR, spec.bootstrap)], {
      cwd: spec.codeDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: whatever the handler starts is ended with the instance.
      detached: true,
    });
    const group = child.pid;
    if (group !== undefined) liveGroups.add(group);
    const stdout = instanceOutputLines(spec, 'stdout');
    const stderr = instanceOutputLines(spec, 'stderr');
    child.stdout.on('data', (chunk: Buffer) => stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.write(chunk));

    let outOfMemory = false;
    let peakKb = 0;
    const limitKb = spec.memoryMb * 1024;
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      residentKb(child.pid).then((kb) => {
        if (kb !== undefined) peakKb = Math.max(peakKb, kb);
        if (kb !== undefined && kb > limitKb && child.exitCode === null) {
          outOfMemory = true;
          signalGroup(child.pid, 'SIGKILL');
        }
      });
    }, this.memoryPollMs);
    poll.unref();

    const exited = new Promise<InstanceExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        clearInterval(poll);
        // The instance is gone however it went (crash, OOM, timeout, stop): so is all it started.
        if (group !== undefined) {
          signalGroup(group, 'SIGKILL');
          liveGroups.delete(group);
        }
        stdout.end();
        stderr.end();
        resolve({ code, signal, outOfMemory });
      };
      child.once('exit', finish);
      child.once('error', (error) => {
        spec.onOutput(
          'stderr',
          `faasport: could not start ${this.interpreters[spec.language]}: ${error.message}`,
        );
        finish(null, null);
      });
    });

    const running = () => child.exitCode === null && child.signalCode === null;
    const graceMs = this.stopGraceMs;
    return {
      id: `pid ${child.pid ?? '?'}`,
      exited,
      async kill() {
        if (running()) signalGroup(group, 'SIGKILL');
        await exited;
      },
      async stop() {
        if (running()) signalGroup(group, 'SIGTERM');
        const deadline = setTimeout(() => {
          if (running()) signalGroup(group, 'SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(deadline);
      },
      peakMemoryMb: () => {
        // The kernel's own high-water mark: a short invocation ends before the first sample.
        if (child.pid !== undefined && running()) peakKb = Math.max(peakKb, highWaterKb(child.pid) ?? 0);
        return peakKb > 0 ? Math.ceil(peakKb / 1024) : undefined;
      },
    };
  }

  async cleanup(): Promise<void> {
    // Nothing to do: an orphaned bootstrap exits on its own once its Runtime API is gone.
  }
}

/** Process groups of instances still running: ended when this process exits, however it exits. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const group of liveGroups) signalGroup(group, 'SIGKILL');
});

/** Signals every process of an instance's group; a group already gone is fine. */
function signalGroup(group: number | undefined, signal: NodeJS.Signals): void {
  if (group === undefined) return;
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

async function residentKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `VmHWM`, the peak resident size of the process so far; read synchronously (a few µs). */
function highWaterKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
