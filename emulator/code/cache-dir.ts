import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the emulator keeps unpacked code, per service, outside the service folder: copies of the
 * user's files inside their tree would be picked up by their own tools (a test runner ran stale
 * copies of the user's tests). `FAASPORT_CACHE_DIR`, else `$XDG_CACHE_HOME/faasport`, else
 * `~/.cache/faasport`; one folder per service path, with `code/` (unpacked zips), `hosted/`
 * (code plus the provider's libraries) and `deployed/` (code deployed to the local planes).
 */
export function serviceCacheDir(serviceDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.FAASPORT_CACHE_DIR ||
    (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'faasport') : join(homedir(), '.cache', 'faasport'));
  const id = createHash('sha256').update(resolve(serviceDir)).digest('hex').slice(0, 16);
  return join(resolve(base), 'services', id);
}
