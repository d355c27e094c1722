import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { linkedDependencies } from '../../../emulator/code/dependency-folders';
import { tempDir } from '../../helpers/temp-dir';

// The docker engine bind-mounts what a code folder's node_modules links to: only a shared
// dependencies folder faasport made, never another path a tampered cache could point at.
test('only a link to a shared dependencies folder is mounted', async () => {
  const root = await tempDir('faasport-linked-');
  const shared = join(root, 'deps', 'a'.repeat(32), 'node_modules');
  await mkdir(shared, { recursive: true });
  const code = async (name: string, target?: string) => {
    const dir = join(root, 'code', name);
    await mkdir(dir, { recursive: true });
    if (target) await symlink(target, join(dir, 'node_modules'));
    return dir;
  };
  expect(await linkedDependencies(await code('ok', shared))).toBe(shared);
  expect(await linkedDependencies(await code('none'))).toBeUndefined();
  expect(await linkedDependencies(await code('etc', '/etc'))).toBeUndefined();
  expect(await linkedDependencies(await code('relative', '../deps/x/node_modules'))).toBeUndefined();
  expect(
    await linkedDependencies(await code('dots', `${root}/deps/${'a'.repeat(32)}/../../etc/node_modules`)),
  ).toBeUndefined();
  expect(
    await linkedDependencies(await code('comma', `${root},rw/deps/${'b'.repeat(32)}/node_modules`)),
  ).toBeUndefined();
});
