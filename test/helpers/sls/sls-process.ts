import { type ChildProcess, spawn } from 'node:child_process';
import { offlineFrameworkEnv } from './framework-cli';

export interface SlsResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together: the frameworks print errors on stdout. */
  output: string;
}

/** A running `sls` process: its result, and the means to interrupt it. */
export interface SlsProcess {
  child: ChildProcess;
  result: Promise<SlsResult>;
}

/**
 * Starts a framework CLI entry script on this Node, offline (telemetry, update checks and
 * notifications off; HOME and the schema cache in `scratch`), with `env` added.
 */
export function startSls(
  cli: string,
  cwd: string,
  args: string[],
  scratch: string,
  env: NodeJS.ProcessEnv = {},
): SlsProcess {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    env: { ...offlineFrameworkEnv(scratch), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const result = new Promise<SlsResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
  return { child, result };
}

export function runSls(
  cli: string,
  cwd: string,
  args: string[],
  scratch: string,
  env: NodeJS.ProcessEnv = {},
): Promise<SlsResult> {
  return startSls(cli, cwd, args, scratch, env).result;
}
