import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../../../common/package-info';
import { run } from '../../helpers/run';
import { nodeBinaries, services } from '../../helpers/services';

// What a user does with the package before it is on the registry (README "Install"): `npm pack`
// in a checkout, `npm install <tarball>` into an empty project, then `faasport doctor` and a
// one-function `faasport emulate` + request — on Node 22 and on Node 24. The install happens
// once; both Nodes run the same installed package.
//
// `npm pack --ignore-scripts`: `npm test` has just built dist/ (the `prepare` script is that same
// build), and re-running tsc into dist/ here would rewrite files that the other e2e files,
// running alongside, are loading.

const SERVICE = `service: installed-app
plugins:
  - serverless-faasport
provider:
  name: faasport
  runtime: nodejs22.x
  targets:
    aws: { region: us-east-1 }
functions:
  hello:
    handler: src/hello.handler
    events:
      - httpApi: GET /hello
`;
const HANDLER = `exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ node: process.version }) });\n`;

let work: string;
let project: string;
let installOutput: string;

/** PATH with `node` → the given binary first, and no node_modules/.bin of this checkout. */
function pathFor(node: string): string {
  const rest = (process.env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .filter((entry) => entry && !entry.includes('node_modules'));
  return [dirname(node), ...rest].join(delimiter);
}

function userEnv(node: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathFor(node), HOME: work, NO_COLOR: '1' };
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_') || key.startsWith('FAASPORT_') || key.startsWith('VITEST')) delete env[key];
  }
  return env;
}

async function step(label: string, file: string, args: string[], cwd: string, timeoutMs: number) {
  const started = Date.now();
  const result = await run(file, args, {
    cwd,
    timeoutMs,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  process.stderr.write(`[install test] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (result.code !== 0)
    throw new Error(`${label} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

beforeAll(async () => {
  const nodes = nodeBinaries();
  for (const [name, path] of Object.entries(nodes)) {
    if (!path || !existsSync(path))
      throw new Error(`${name} is missing (${path}): run bash scripts/services.sh start`);
  }
  if (!existsSync(join(packageRoot, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test builds first)');
  }
  work = mkdtempSync(join(tmpdir(), 'faasport-install-'));
  // One npm cache for every run of this test on this machine: the second install is offline-fast.
  const cache = join(services().stateDir, 'npm-cache');
  const packed = await step(
    'npm pack',
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    packageRoot,
    120_000,
  );
  const filename = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename;
  if (!filename) throw new Error(`npm pack --json named no file:\n${packed.stdout}`);
  project = join(work, 'project');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'installed-app', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  const installed = await step(
    'npm install <tarball>',
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--cache', cache, join(work, filename)],
    project,
    240_000,
  );
  installOutput = `${installed.stdout}${installed.stderr}`;
  writeFileSync(join(project, 'serverless.yml'), SERVICE);
  writeFileSync(join(project, 'src', 'hello.js'), HANDLER);
}, 400_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball installs into an empty project without engine warnings, with the faasport bin', () => {
  expect(installOutput).not.toContain('EBADENGINE');
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  expect(manifest.dependencies?.['serverless-faasport']).toMatch(/serverless-faasport-0\.\d+\.\d+\.tgz$/);
  expect(existsSync(join(project, 'node_modules', '.bin', 'faasport'))).toBe(true);
  expect(existsSync(join(project, 'node_modules', 'serverless-faasport', 'dist', 'cli', 'main.js'))).toBe(
    true,
  );
});

describe.each([
  ['22', () => nodeBinaries().node22],
  ['24', () => nodeBinaries().node24],
] as const)('installed faasport on Node %s', (major, nodeBin) => {
  const faasport = () => join(project, 'node_modules', '.bin', 'faasport');

  test('faasport doctor --json: the Node check is ok, with this Node', async () => {
    const doctor = await run(faasport(), ['doctor', '--json'], {
      cwd: project,
      env: userEnv(nodeBin()),
      timeoutMs: 60_000,
    });
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; status: string; required: boolean; detail: string }>;
    };
    const node = report.checks.find((check) => check.name === 'Node.js');
    expect(node, doctor.stdout).toMatchObject({ status: 'ok', required: true });
    expect(node?.detail).toMatch(new RegExp(`^v${major}\\.\\d+\\.\\d+$`));
    // Only optional checks may fail here (no framework in this project, no credentials).
    const failedRequired = report.checks.filter((check) => check.required && check.status !== 'ok');
    expect(failedRequired).toEqual([]);
    expect(doctor.code).toBe(report.ok ? 0 : 1);
    expect(doctor.code).toBe(0);
  });

  test('faasport emulate --engine process serves the one function, and a request is answered', async () => {
    const child = spawn(
      faasport(),
      ['emulate', '--engine', 'process', '--port', '0', '--lambda-port', '0', '--no-watch'],
      { cwd: project, env: userEnv(nodeBin()), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const output = await served(child);
      const url = /GET\s+(http:\/\/127\.0\.0\.1:\d+\/hello)\s/.exec(output)?.[1];
      expect(url, output).toBeDefined();
      const response = await fetch(url ?? '');
      expect(response.status).toBe(200);
      // The process engine runs the handler on the Node that runs faasport.
      expect(((await response.json()) as { node: string }).node).toMatch(new RegExp(`^v${major}\\.`));
      expect(response.headers.get('x-faasport-cold')).toBe('true');
    } finally {
      await stop(child);
    }
    expect(child.exitCode).toBe(0);
  });
});

/** Resolves with the output once `faasport emulate` says it serves; rejects if it exits first. */
function served(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`faasport emulate did not serve in 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`faasport emulate exited (${code}) before serving:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  return exited;
}
