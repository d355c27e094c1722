import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CheckResult } from './check';
import { type DoctorHost, findOnPath } from './host';

export interface FoundPackage {
  name: string;
  version: string;
  /** Where it was found: `node_modules` (resolved from the working folder) or `PATH`. */
  via: 'node_modules' | 'PATH';
}

/** How the check finds frameworks; the real one reads the disk, unit tests pass a fake. */
export interface FrameworkLocator {
  /** `name` resolved from the working folder, as the framework resolves plugins. */
  fromWorkingDir(name: string): FoundPackage | undefined;
  /** The package behind an executable on PATH (a global install). */
  fromPath(bin: string): FoundPackage | undefined;
}

function readPackage(dir: string): { name: string; version: string } | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return typeof pkg.name === 'string' && typeof pkg.version === 'string'
      ? { name: pkg.name, version: pkg.version }
      : undefined;
  } catch {
    return undefined;
  }
}

export function diskLocator(host: DoctorHost): FrameworkLocator {
  const requireFromCwd = createRequire(join(host.cwd, 'package.json'));
  return {
    fromWorkingDir(name) {
      try {
        const pkg = readPackage(dirname(requireFromCwd.resolve(`${name}/package.json`)));
        return pkg && { ...pkg, via: 'node_modules' };
      } catch {
        return undefined;
      }
    },
    fromPath(bin) {
      const found = findOnPath(host, bin);
      if (!found) return undefined;
      // A global bin is a symlink into its package: walk up from the real file to package.json.
      let dir = dirname(realpathSync(found));
      for (let depth = 0; depth < 4; depth++) {
        const pkg = readPackage(dir);
        if (pkg) return { ...pkg, via: 'PATH' };
        dir = dirname(dir);
      }
      return undefined;
    },
  };
}

type Kind = 'supported' | 'v4' | 'old';

function classify(pkg: FoundPackage): { kind: Kind; label: string } {
  const major = Number(pkg.version.split('.')[0]);
  if (pkg.name === 'osls') return { kind: 'supported', label: `osls ${pkg.version}` };
  if (major === 3) return { kind: 'supported', label: `serverless v3 (${pkg.version})` };
  if (major >= 4) return { kind: 'v4', label: `Serverless Framework v4 (${pkg.version})` };
  return { kind: 'old', label: `serverless ${pkg.version}` };
}

/** Which Serverless Framework `sls` commands would run the plugin under. Not required. */
export function checkServerlessFramework(locator: FrameworkLocator): CheckResult {
  const name = 'Serverless Framework';
  const candidates = [
    locator.fromWorkingDir('serverless'),
    locator.fromWorkingDir('osls'),
    locator.fromPath('serverless'),
    locator.fromPath('osls'),
  ].filter((pkg): pkg is FoundPackage => pkg !== undefined);
  const seen = new Set<string>();
  const found = candidates
    .filter((pkg) => {
      const key = `${pkg.name}@${pkg.version}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((pkg) => ({ ...classify(pkg), via: pkg.via }));
  const listing = found.map((f) => `${f.label} via ${f.via}`).join(', ');
  if (found.some((f) => f.kind === 'supported')) {
    return { name, status: 'ok', required: false, detail: listing };
  }
  const install = 'install serverless@3 or osls (`npm install -D serverless@3` or `npm install -D osls`)';
  if (found.length > 0) {
    const why = found.some((f) => f.kind === 'v4')
      ? 'v4 needs a Serverless account login and dropped non-AWS providers'
      : 'versions before 3 are not supported';
    return { name, status: 'warn', required: false, detail: `${listing}: ${why}; ${install}` };
  }
  return {
    name,
    status: 'warn',
    required: false,
    detail: `not found (needed for \`sls\` commands): ${install}`,
  };
}
