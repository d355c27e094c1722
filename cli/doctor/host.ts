import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * What the checks read from the machine, behind one seam so unit tests give fakes: the
 * environment, the home folder, the working folder, and file existence.
 */
export interface DoctorHost {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
  nodeVersion: string;
  exists(path: string): boolean;
  isExecutable(path: string): boolean;
}

export function realHost(): DoctorHost {
  return {
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
    nodeVersion: process.versions.node,
    exists: (path) => existsSync(path),
    isExecutable: (path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The first executable called `name` on the host's PATH, like `which`. */
export function findOnPath(host: DoctorHost, name: string): string | undefined {
  for (const dir of (host.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (host.isExecutable(candidate)) return candidate;
  }
  return undefined;
}
