import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A free loopback port (closed again before use; the window for a clash is tiny). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface RegistryProcess {
  host: string;
  stop(): Promise<void>;
}

/**
 * Starts a private CNCF distribution (`docker-registry`) on loopback with extra config (e.g.
 * token auth), for tests that need a registry configured differently from the rig's.
 */
export async function startRegistry(extra: Record<string, unknown> = {}): Promise<RegistryProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-registry-'));
  const port = await freePort();
  const config = {
    version: 0.1,
    log: { level: 'warn' },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}` },
    ...extra,
  };
  await writeFile(join(dir, 'config.yml'), stringify(config));
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start docker-registry: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`docker-registry exited (${code}): ${stderr}`)));
  });
  const host = `127.0.0.1:${port}`;
  await Promise.race([waitForHttp(`http://${host}/v2/`), exited]);
  return {
    host,
    async stop() {
      child.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await (await fetch(url)).body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not answer`);
}
