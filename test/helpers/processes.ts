import { readdirSync, readFileSync } from 'node:fs';

/** A process that exists and is not a zombie waiting to be reaped (Linux, from /proc). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Live processes whose environment has a variable `name` starting with `prefix` — an emulator's
 * instances (`AWS_LAMBDA_FUNCTION_NAME=<service>-<stage>-…`) and whatever they started, since
 * children inherit the environment; on a local Docker engine, the processes in its containers too.
 * Processes of other users are only seen when this one may read their /proc/<pid>/environ (root).
 */
export function processesWithEnvironment(name: string, prefix: string): number[] {
  const wanted = Buffer.from(`${name}=${prefix}`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    let start = 0;
    while (start < environ.length) {
      const end = environ.indexOf(0, start);
      const variable = environ.subarray(start, end === -1 ? environ.length : end);
      if (variable.subarray(0, wanted.length).equals(wanted)) {
        if (alive(pid)) found.push(pid);
        break;
      }
      start = end === -1 ? environ.length : end + 1;
    }
  }
  return found;
}
