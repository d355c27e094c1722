import { spawn } from 'node:child_process';
import { lineSplitter } from '../engines/line-splitter';

export interface BuildRun {
  /** Settles when the command has ended, however it ended. */
  readonly done: Promise<BuildOutcome>;
  /** Asks the command to end (SIGTERM): the emulator is stopping. */
  cancel(): void;
}

export type BuildOutcome =
  | { ok: true }
  /** `how`: `exit status 1`, `signal SIGTERM`, or why it could not start. */
  | { ok: false; how: string; tail: string[] };

/** Lines of output a failure report repeats. */
const TAIL_LINES = 6;

/**
 * Runs a user's build command as an argument list — never through a shell, so nothing in it is
 * interpreted — streaming each output line to `onLine` and keeping the last few for a failure.
 */
export function runBuild(
  argv: readonly string[],
  cwd: string,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
): BuildRun {
  const [program = '', ...args] = argv;
  const tail: string[] = [];
  const keep = (line: string, stream: 'stdout' | 'stderr') => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    onLine(line, stream);
  };
  const child = spawn(program, args, { cwd, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = lineSplitter((line) => keep(line, 'stdout'));
  const err = lineSplitter((line) => keep(line, 'stderr'));
  child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.write(chunk));
  const done = new Promise<BuildOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const how =
        error.code === 'ENOENT'
          ? `cannot run "${program}": not found (it runs without a shell, from ${cwd})`
          : `cannot run "${program}": ${error.message}`;
      resolve({ ok: false, how, tail: [...tail] });
    });
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, how: signal ? `signal ${signal}` : `exit status ${code}`, tail: [...tail] });
    });
  });
  return {
    done,
    cancel: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
