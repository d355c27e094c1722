import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import type { DoctorReport } from '../../../cli/doctor/check';
import { services } from '../../helpers/services';

const repoRoot = resolve(__dirname, '..', '..', '..');

function doctor(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DOCKER_HOST: services().docker.host, NO_COLOR: undefined };
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin', 'faasport.js'), 'doctor', ...args],
      { cwd: repoRoot, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        if (typeof code !== 'number')
          reject(new Error(`faasport doctor did not exit: ${error?.message}\n${stderr}`));
        else resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

const byName = (report: DoctorReport) => new Map(report.checks.map((check) => [check.name, check]));

beforeAll(async () => {
  const { existsSync } = await import('node:fs');
  const main = join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (npm test builds first)`);
});

test('with the test services up, doctor --json exits 0 and sees docker, the registry and the runtime images', async () => {
  const { registry, docker } = services();
  const result = await doctor(['--json', '--registry', registry.host]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as DoctorReport;
  expect(report.ok).toBe(true);
  const checks = byName(report);
  expect(checks.get('Node.js')?.status).toBe('ok');
  expect(checks.get('Docker engine')).toMatchObject({ status: 'ok' });
  expect(checks.get('Docker engine')?.detail).toContain(docker.host);
  expect(checks.get(`registry ${registry.host}`)).toMatchObject({ status: 'ok', required: true });
  for (const image of [
    'faasport/runtime-nodejs:22',
    'faasport/runtime-nodejs:24',
    'faasport/runtime-python:3',
  ]) {
    expect(checks.get(`runtime image ${image}`)?.status, image).toBe('ok');
  }
  expect(checks.get('skopeo')?.status).toBe('ok');
  expect(checks.get('Serverless Framework')?.detail).toContain('serverless v3 (3.');
});

test('the auth registry counts as reachable (401 on /v2/)', async () => {
  const result = await doctor(['--json', '--registry', services().authRegistry.host]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const check = byName(JSON.parse(result.stdout) as DoctorReport).get(
    `registry ${services().authRegistry.host}`,
  );
  expect(check?.status).toBe('ok');
  expect(check?.detail).toContain('HTTP 401');
});

test('an unreachable registry makes doctor exit non-zero and names the registry check', async () => {
  const result = await doctor(['--json', '--registry', '127.0.0.1:1']);
  expect(result.code).toBe(1);
  const report = JSON.parse(result.stdout) as DoctorReport;
  expect(report.ok).toBe(false);
  expect(byName(report).get('registry 127.0.0.1:1')).toMatchObject({ status: 'missing', required: true });
});

test('the table has no colour codes when stdout is not a terminal, and names each check', async () => {
  const result = await doctor(['--registry', '127.0.0.1:1']);
  expect(result.code).toBe(1);
  expect(result.stdout).not.toContain('\u001b[');
  expect(result.stdout).toMatch(/^CHECK\s+STATUS\s+REQUIRED\s+DETAIL/);
  expect(result.stdout).toMatch(/^Docker engine\s+ok\s+no\s+/m);
  expect(result.stdout).toContain('1 required check failed: registry 127.0.0.1:1.');
});

test('a malformed --registry is a usage error (exit 2) with a hint, not a stack trace', async () => {
  const result = await doctor(['--registry', 'http://example.com']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('plain http is allowed for loopback hosts only');
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
