import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../common/package-info';
import { run } from './run';

/** The faasport command as a user runs it: `bin/faasport.js` on the compiled dist/. */
export const faasportBin = join(packageRoot, 'bin', 'faasport.js');

/** Compiles dist/ as it is now (the CLI runs from there); call it once per file, in beforeAll. */
export async function buildDist(): Promise<void> {
  // The Node code, then the console's browser code (as `npm run build`).
  for (const project of ['tsconfig.build.json', 'emulator/console/ui/tsconfig.json']) {
    const build = await run(
      process.execPath,
      [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', project],
      { cwd: packageRoot, timeoutMs: 240_000 },
    );
    if (build.code !== 0) throw new Error(`tsc -p ${project} failed:\n${build.stdout}${build.stderr}`);
  }
}

export interface RunningEmulateCli {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr, or the log file they go to). */
  logs(): string;
  /** The URL printed on the first banner line matching `pattern` (its first group). */
  url(pattern: RegExp): string;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `faasport emulate <args>` in `cwd`, resolved once it prints that it serves. With `logFile`, its
 * output is redirected there as `faasport emulate > file` would (a file inside the service folder
 * is what a user does, and what the watcher must not reload on).
 */
export async function startEmulateCli(
  args: string[],
  options: { cwd: string; logFile?: string; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number },
): Promise<RunningEmulateCli> {
  const fd = options.logFile ? openSync(options.logFile, 'w') : undefined;
  const child = spawn(process.execPath, [faasportBin, 'emulate', ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
  });
  if (fd !== undefined) closeSync(fd);
  let captured = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    captured += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    captured += chunk.toString();
  });
  const logs = () => (options.logFile ? readFileSync(options.logFile, 'utf8') : captured);
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    const poll = setInterval(() => {
      if (logs().includes('Ctrl-C stops everything.')) finish();
      else if (Date.now() > deadline) finish(new Error(`faasport emulate did not serve in time:\n${logs()}`));
    }, 50);
    const onExit = (code: number | null) =>
      finish(new Error(`faasport emulate exited (${code}) before serving:\n${logs()}`));
    child.once('exit', onExit);
    function finish(error?: Error) {
      clearInterval(poll);
      child.off('exit', onExit);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve();
    }
  });
  return {
    child,
    logs,
    url(pattern) {
      const found = pattern.exec(logs())?.[1];
      if (!found) throw new Error(`no URL for ${pattern} in the output:\n${logs()}`);
      return found;
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      return exited;
    },
  };
}
