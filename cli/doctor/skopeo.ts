import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CheckResult } from './check';
import { type DoctorHost, findOnPath } from './host';

/** Runs `<binary> --version`; a function so unit tests need no skopeo. */
export type VersionReader = (binary: string) => Promise<string>;

export const execVersion: VersionReader = async (binary) => {
  const { stdout } = await promisify(execFile)(binary, ['--version'], { timeout: 5000 });
  return stdout.trim();
};

/** skopeo is the independent OCI client the interop tests compare against. Not required. */
export async function checkSkopeo(host: DoctorHost, readVersion: VersionReader): Promise<CheckResult> {
  const name = 'skopeo';
  const binary = findOnPath(host, 'skopeo');
  if (!binary) {
    return {
      name,
      status: 'warn',
      required: false,
      detail:
        'not on PATH (used by the interop tests): `apt-get install skopeo`, or `bash scripts/services.sh start`',
    };
  }
  try {
    return { name, status: 'ok', required: false, detail: `${await readVersion(binary)} at ${binary}` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { name, status: 'warn', required: false, detail: `${binary} did not run: ${reason}` };
  }
}
