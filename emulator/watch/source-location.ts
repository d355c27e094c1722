import { PROVIDED_MODULES } from '../code/hosted-code';

const PATH_AND_LINE = /((?:file:\/\/)?\/[^\s():'"]+):(\d+)/g;

/**
 * The first `file:line` in a failed start's output that lies in the function's own code, relative
 * to it (`src/app.js:3`, as in the editor), rather than in the copy the instance ran. `roots` are
 * the folders the code was run from (host folder, `/var/task` in a container); frames of the
 * runtime and of the libraries the emulator provides are skipped.
 */
export function sourceLocation(lines: string[], roots: string[]): string | undefined {
  const prefixes = roots.map((root) => `${root.replace(/\/+$/, '')}/`);
  for (const line of lines) {
    for (const match of line.matchAll(PATH_AND_LINE)) {
      const path = (match[1] ?? '').replace(/^file:\/\//, '');
      const prefix = prefixes.find((candidate) => path.startsWith(candidate));
      if (!prefix) continue;
      const relative = path.slice(prefix.length);
      if (relative.startsWith(`${PROVIDED_MODULES}/`)) continue;
      return `${relative}:${match[2]}`;
    }
  }
  return undefined;
}
