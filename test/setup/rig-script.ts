import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root (this file is test/setup/rig-script.ts). */
export const repoRoot = resolve(__dirname, '..', '..');
export const servicesScript = join(repoRoot, 'scripts', 'services.sh');

export function servicesDir(): string {
  return process.env.FAASPORT_SERVICES_DIR || '/tmp/faasport-services';
}

/**
 * Runs `bash scripts/services.sh <args>` (no shell string), forwarding its progress (stderr) live
 * and returning its stdout. A failure carries the script's own error lines, which name the
 * missing piece and what to run.
 */
export function runServicesScript(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [servicesScript, ...args], {
      cwd: repoRoot,
      env: { ...process.env, FAASPORT_SERVICES_DIR: servicesDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      process.stderr.write(chunk);
    });
    child.on('error', (error) =>
      reject(new Error(`could not run bash ${servicesScript}: ${error.message}`, { cause: error })),
    );
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolvePromise(Buffer.concat(stdout).toString('utf8'));
        return;
      }
      const log = Buffer.concat(stderr).toString('utf8');
      const reasons = log
        .split('\n')
        .filter((line) => line.includes('error:') || line.trimStart().startsWith('→'))
        .join('\n');
      reject(
        new Error(
          `bash scripts/services.sh ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n` +
            (reasons || log.split('\n').slice(-15).join('\n')),
        ),
      );
    });
  });
}

/**
 * A shared flock on `<services dir>/users.lock`, held by a `flock` child for as long as this test
 * run uses the services: `services.sh stop --if-unused` leaves them running while any run holds
 * one. The lock dies with its pipe, so a crashed run cannot leave a stale lease behind.
 */
export interface Lease {
  release(): Promise<void>;
}

export async function acquireLease(): Promise<Lease> {
  const dir = servicesDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The command is a constant; only the lock path (an argument, not shell text) varies.
  const child: ChildProcess = spawn(
    'flock',
    ['--shared', join(dir, 'users.lock'), 'sh', '-c', 'echo held; exec cat >/dev/null'],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolvePromise, reject) => {
    child.once('error', (error) =>
      reject(new Error(`could not run flock (util-linux) for ${dir}/users.lock: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`flock on ${dir}/users.lock exited early (${code})`)));
    child.stdout?.once('data', () => resolvePromise());
  });
  child.removeAllListeners('exit');
  // Never keep vitest alive for the lease's sake.
  child.unref();
  return {
    release: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolvePromise();
          return;
        }
        // Referenced again while it exits: an unreferenced child would let node quit mid-await.
        child.ref();
        child.once('exit', () => resolvePromise());
        child.stdin?.end();
      }),
  };
}
