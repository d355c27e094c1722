import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { services } from '../services';

export const repoRoot = resolve(__dirname, '..', '..', '..');

/** The frameworks every deploy e2e test runs under: name, a short id for resource names, CLI. */
export const FRAMEWORKS = [
  ['serverless@3', 's3', () => services().frameworks.serverless3],
  ['osls', 'osls', () => services().frameworks.osls],
] as const;

/** A throwaway service folder that resolves `serverless-faasport` by name, as a user's would. */
export interface ServiceDir {
  dir: string;
  remove(): void;
}

export function serviceDir(serverlessYml: string, options: { linkPlugin?: boolean } = {}): ServiceDir {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-service-'));
  writeFileSync(join(dir, 'serverless.yml'), serverlessYml);
  if (options.linkPlugin ?? true) {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules', 'serverless-faasport'), 'dir');
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The plugin loads from dist/: fail with the fix rather than with a framework's stack. */
export function assertBuilt(): void {
  const main = join(repoRoot, 'dist', 'plugin', 'index.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm test builds first)`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together: the frameworks print configuration errors on stdout. */
  output: string;
}

/** A folder for the frameworks' HOME and compiled-schema cache, shared by the runs of one file. */
export function scratchDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faasport-sls-home-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `scratchDir()` for the runs of one test file: dist/ checked and the folder made in beforeAll,
 * removed in afterAll (call it at the top level of the file; read `.dir` inside tests).
 */
export function useScratchDir(): { readonly dir: string } {
  let scratch: ReturnType<typeof scratchDir> | undefined;
  beforeAll(() => {
    assertBuilt();
    scratch = scratchDir();
  });
  afterAll(() => scratch?.remove());
  return {
    get dir() {
      if (!scratch) throw new Error('the scratch folder is made in beforeAll');
      return scratch.dir;
    },
  };
}

/**
 * The environment of a framework run: PATH only from ours, telemetry, update checks, backend
 * notifications and deprecation notices off, HOME and the schema cache in `scratch`.
 */
export function offlineFrameworkEnv(scratch: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_TRACKING_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DISABLE_AUTO_UPDATE: '1',
    SLS_DEPRECATION_DISABLE: '*',
    SLS_SCHEMA_CACHE_BASE_DIR: scratch,
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    CI: '1',
  };
}

/**
 * Runs a framework CLI entry script on this Node (24 under npm scripts/npx), offline: telemetry,
 * update checks, backend notifications and deprecation notices off, HOME and the schema cache
 * in `scratch` so nothing outside it is written.
 */
export function runFramework(cli: string, cwd: string, args: string[], scratch: string): Promise<RunResult> {
  const env = offlineFrameworkEnv(scratch);
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, [cli, ...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) {
        reject(new Error(`${cli} ${args.join(' ')} did not exit normally: ${error?.message}\n${stderr}`));
        return;
      }
      resolvePromise({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}
