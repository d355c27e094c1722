import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

/** A second Docker engine of its own: no images, no containers, nothing shared with the rig's. */
export interface IsolatedDocker {
  docker: Docker;
  /** As DOCKER_HOST (`unix://…`). */
  host: string;
  stop(): Promise<void>;
}

/**
 * Starts a fresh dockerd as scripts/lib/docker-engine.sh starts the rig's, but with its own data
 * root, exec root, pid file and socket under a temp dir, and no bridge or iptables rules (its
 * containers run with the host network, as the emulator's do). Needs root, as dockerd does.
 * The temp dir is short: containerd's socket path lives under the exec root and sockets are
 * limited to 108 bytes.
 */
export async function startIsolatedDocker(timeoutMs = 60_000): Promise<IsolatedDocker> {
  if (process.getuid?.() !== 0) throw new Error('a second dockerd for this test needs root');
  const dir = await mkdtemp('/tmp/fpd-');
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const { openSync, closeSync } = await import('node:fs');
  const log = openSync(logFile, 'w');
  const child = spawn(
    'dockerd',
    [
      `--host=unix://${socket}`,
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'dockerd.pid')}`,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const docker = new Docker({ socketPath: socket });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    // dockerd leaves its network namespace mounted under the exec root.
    const mounts = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
    for (const mount of mounts.split('\n').map((line) => line.split(' ')[4] ?? '')) {
      if (mount.startsWith(`${dir}/`)) await run('umount', ['-l', mount]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      return { docker, host: `unix://${socket}`, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      const output = await readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(
        `the isolated dockerd did not answer on ${socket}:\n${output.split('\n').slice(-20).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
