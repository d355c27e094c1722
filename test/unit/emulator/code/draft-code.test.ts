import { chmod, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EntryContent } from '../../../../artifact/unzip/safe-unzip';
import { readChanges, writeDraft } from '../../../../emulator/code/draft-code';
import { tempDir } from '../../../helpers/temp-dir';

const entry = (name: string, text: string, executable = false): EntryContent => ({
  name,
  crc32: crc32(Buffer.from(text)) >>> 0,
  size: Buffer.byteLength(text),
  executable,
});

/** A source folder and the folder unpacked from its last pack, with that pack's index. */
async function setUp() {
  const source = await tempDir('faasport-draft-src-');
  const previous = await tempDir('faasport-draft-prev-');
  const files = { 'handler.js': 'v1', 'lib/util.js': 'util', 'bin/run.sh': '#!/bin/sh\n' };
  const index = new Map<string, EntryContent>();
  for (const [name, text] of Object.entries(files)) {
    for (const root of [source, previous]) {
      await mkdir(join(root, name, '..'), { recursive: true });
      await writeFile(join(root, name), text);
    }
    index.set(name, entry(name, text, name.endsWith('.sh')));
  }
  await chmod(join(source, 'bin/run.sh'), 0o755);
  await chmod(join(previous, 'bin/run.sh'), 0o755);
  await symlink('/cache/deps/0123/node_modules', join(previous, 'node_modules'));
  return { source, previous, index };
}

describe('draft code', () => {
  it('reads an edit, a new file and a removal as the packer records them; a touch is no change', async () => {
    const { source, index } = await setUp();
    expect(await readChanges(source, ['handler.js', 'lib/util.js'], index)).toEqual([]); // saved unchanged
    await writeFile(join(source, 'handler.js'), 'v2');
    await writeFile(join(source, 'new.js'), 'new');
    await writeFile(join(source, 'lib/util.js'), 'util'); // rewritten with the same bytes
    await rm(join(source, 'bin/run.sh'));
    const changes = await readChanges(
      source,
      ['handler.js', 'new.js', 'lib/util.js', 'bin/run.sh', 'gone.js'],
      index,
    );
    expect(changes?.map((c) => (c.kind === 'removed' ? `-${c.name}` : `+${c.entry.name}`))).toEqual([
      '+handler.js',
      '+new.js',
      '-bin/run.sh',
    ]);
    expect(changes?.[0]).toMatchObject({ kind: 'written', entry: entry('handler.js', 'v2') });
  });

  it('leaves to the packer what a draft cannot carry: package.json, dependencies, folders, links', async () => {
    const { source, index } = await setUp();
    await writeFile(join(source, 'package.json'), '{}');
    expect(await readChanges(source, ['handler.js', 'package.json'], index)).toBeUndefined();
    expect(await readChanges(source, ['node_modules/x/index.js'], index)).toBeUndefined();
    await mkdir(join(source, 'folder'));
    expect(await readChanges(source, ['folder'], index)).toBeUndefined();
    await symlink('handler.js', join(source, 'alias.js'));
    expect(await readChanges(source, ['alias.js'], index)).toBeUndefined();
  });

  it('writes the last folder with the changes applied: unchanged files linked, modes kept, node_modules link copied', async () => {
    const { source, previous, index } = await setUp();
    await writeFile(join(source, 'handler.js'), 'v2');
    await writeFile(join(source, 'tool.sh'), '#!/bin/sh\necho\n', { mode: 0o755 });
    const changes = await readChanges(source, ['handler.js', 'tool.sh'], index);
    const root = await tempDir('faasport-draft-root-');
    const draft = await writeDraft(root, previous, index, changes ?? []);
    expect(draft.dir.startsWith(join(root, 'draft-'))).toBe(true);
    expect(await readFile(join(draft.dir, 'handler.js'), 'utf8')).toBe('v2');
    expect((await stat(join(draft.dir, 'tool.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(draft.dir, 'handler.js'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(draft.dir, 'lib/util.js'))).ino).toBe(
      (await stat(join(previous, 'lib/util.js'))).ino,
    );
    expect((await stat(join(draft.dir, 'handler.js'))).ino).not.toBe(
      (await stat(join(previous, 'handler.js'))).ino,
    );
    expect(await readFile(join(previous, 'handler.js'), 'utf8')).toBe('v1'); // the served folder is untouched
    expect(await readlink(join(draft.dir, 'node_modules'))).toBe('/cache/deps/0123/node_modules');
    expect([...draft.index.keys()].sort()).toEqual(['bin/run.sh', 'handler.js', 'lib/util.js', 'tool.sh']);
    expect(draft.index.get('tool.sh')?.executable).toBe(true);
  });
});
