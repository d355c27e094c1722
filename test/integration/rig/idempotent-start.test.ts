import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { run } from '../../helpers/run';
import { services } from '../../helpers/services';
import { repoRoot, servicesScript } from '../../setup/rig-script';
import type { ServicesState } from '../../setup/services-state';

/** Command lines of every running process whose executable name is `name`. */
async function processes(name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = (await readFile(`/proc/${entry}/comm`, 'utf8')).trim();
      if (comm === name) found.push((await readFile(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' '));
    } catch {
      // The process exited while we looked.
    }
  }
  return found;
}

async function rigRegistries(stateDir: string): Promise<string[]> {
  return (await processes('docker-registry')).filter((cmdline) => cmdline.includes(`${stateDir}/registry-`));
}

/** `--for-tests` so that this start does not pin the services beyond the test run. */
async function startAgain(stateDir: string): Promise<ServicesState> {
  const result = await run('bash', [servicesScript, 'start', '--json', '--for-tests'], {
    cwd: repoRoot,
    env: { ...process.env, FAASPORT_SERVICES_DIR: stateDir },
    timeoutMs: 600_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ServicesState;
}

describe('scripts/services.sh start, run again while the services are up', () => {
  test('starts no second engine or registry and keeps the same pids, ports and images', async () => {
    const before = services();
    const dockerdBefore = await processes('dockerd');
    expect(await rigRegistries(before.stateDir)).toHaveLength(2);

    const [first, second] = await Promise.all([startAgain(before.stateDir), startAgain(before.stateDir)]);

    for (const after of [first, second]) {
      expect(after.pids).toEqual(before.pids);
      expect(after.registry.host).toBe(before.registry.host);
      expect(after.authRegistry).toEqual(before.authRegistry);
      expect(after.docker).toEqual(before.docker);
      expect(after.runtimeImages).toEqual(before.runtimeImages);
    }
    expect(await rigRegistries(before.stateDir)).toHaveLength(2);
    expect((await processes('dockerd')).length).toBe(dockerdBefore.length);
    for (const pid of [before.pids.registry, before.pids.authRegistry]) {
      expect((await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')).toContain(
        before.stateDir,
      );
    }
  });

  test('finds the runtime images up to date and rebuilds none of them', async () => {
    const { stateDir } = services();
    const result = await run('bash', [`${repoRoot}/scripts/runtime-images.sh`], {
      env: { ...process.env, FAASPORT_SERVICES_DIR: stateDir },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('building');
    expect(result.stderr.match(/is up to date/g)).toHaveLength(3);
  });
});
