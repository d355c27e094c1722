import { describe, expect, test } from 'vitest';
import type { DoctorReport } from '../../../cli/doctor/check';
import { type DoctorDependencies, runDoctor } from '../../../cli/doctor/run';
import { formatTable } from '../../../cli/doctor/table';
import { fakeHost } from './fake-host';

function dependencies(options: { registryStatus?: number; nodeVersion?: string } = {}): DoctorDependencies {
  return {
    host: fakeHost({
      files: ['/var/run/docker.sock'],
      executables: ['/usr/bin/skopeo'],
      env: { PATH: '/usr/bin' },
      ...(options.nodeVersion ? { nodeVersion: options.nodeVersion } : {}),
    }),
    docker: () => ({
      version: async () => ({ Version: '20.10.24', ApiVersion: '1.41' }),
      hasImage: async () => true,
      imageTags: async () => [],
      cannotBuild: async () => undefined,
    }),
    fetch: async () => {
      if (options.registryStatus === undefined) throw new TypeError('fetch failed');
      return { status: options.registryStatus };
    },
    frameworks: {
      fromWorkingDir: (name) =>
        name === 'serverless' ? { name, version: '3.40.0', via: 'node_modules' } : undefined,
      fromPath: () => undefined,
    },
    readVersion: async () => 'skopeo version 1.9.3',
  };
}

describe('runDoctor', () => {
  test('every check in a fixed order; ok when the required ones pass', async () => {
    const result = await runDoctor({ registry: '127.0.0.1:5000' }, dependencies({ registryStatus: 200 }));
    expect(result.checks.map((c) => c.name)).toEqual([
      'Node.js',
      'Docker engine',
      'registry 127.0.0.1:5000',
      'runtime image faasport/runtime-nodejs:22',
      'runtime image faasport/runtime-nodejs:24',
      'runtime image faasport/runtime-python:3',
      'AWS Lambda base images',
      'Serverless Framework',
      'skopeo',
      'AWS credentials',
      'Azure credentials',
      'GCP credentials',
    ]);
    expect(result.ok).toBe(true);
  });

  test('no --registry, no registry row', async () => {
    const result = await runDoctor({}, dependencies());
    expect(result.checks.some((c) => c.name.startsWith('registry'))).toBe(false);
    expect(result.ok).toBe(true);
  });

  test('an unreachable registry that was asked about fails the report', async () => {
    const result = await runDoctor({ registry: '127.0.0.1:1' }, dependencies());
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === 'registry 127.0.0.1:1')?.status).toBe('missing');
  });

  test('an old Node fails the report; warnings alone do not', async () => {
    expect((await runDoctor({}, dependencies({ nodeVersion: '20.11.0' }))).ok).toBe(false);
  });
});

describe('formatTable', () => {
  const sample: DoctorReport = {
    ok: false,
    checks: [
      { name: 'Node.js', status: 'ok', required: true, detail: 'v24.0.0' },
      { name: 'registry 127.0.0.1:1', status: 'missing', required: true, detail: 'unreachable' },
      { name: 'skopeo', status: 'warn', required: false, detail: 'not on PATH' },
    ],
  };

  test('aligned columns and a summary naming the failed check, without colour', () => {
    const text = formatTable(sample, false);
    expect(text).not.toContain('\u001b[');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+REQUIRED\s+DETAIL$/);
    const detailColumn = lines[0]?.indexOf('DETAIL');
    for (const line of lines.slice(1, 4)) expect(line.length).toBeGreaterThan(detailColumn ?? 0);
    expect(lines[1]?.indexOf('v24.0.0')).toBe(detailColumn);
    expect(lines[2]?.indexOf('unreachable')).toBe(detailColumn);
    expect(lines[2]).toContain('MISSING');
    expect(text).toContain('1 required check failed: registry 127.0.0.1:1.');
  });

  test('colours the status column only when asked, keeping alignment', () => {
    const text = formatTable(sample, true);
    expect(text).toContain('\u001b[31mMISSING');
    const ansi = new RegExp(`${'\u001b'}\\[\\d+m`, 'g');
    const plain = text.replaceAll(ansi, '');
    expect(plain).toBe(formatTable(sample, false));
  });
});
