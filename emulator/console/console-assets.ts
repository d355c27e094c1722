import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import { packageRoot } from '../../common/package-info';

/**
 * The console's browser code: emulator/console/ui compiled by `npm run build`
 * (emulator/console/ui/tsconfig.json) into dist/console-ui, shipped in the package, never fetched.
 */
export const ASSETS_ROOT = join(packageRoot, 'dist', 'console-ui');
const ENTRY = 'emulator/console/ui/main.js';

/** The script the page loads; undefined when the package was not built. */
export function entryScript(): string | undefined {
  return existsSync(join(ASSETS_ROOT, ENTRY)) ? ENTRY : undefined;
}

/** A compiled module under dist/console-ui by its path, or undefined (anything else, `..` included). */
export async function readAsset(path: string): Promise<Buffer | undefined> {
  if (!/^[a-z0-9/-]+\.js$/.test(path)) return undefined;
  const file = normalize(join(ASSETS_ROOT, path));
  if (!file.startsWith(ASSETS_ROOT + sep)) return undefined;
  return readFile(file).catch(() => undefined);
}
