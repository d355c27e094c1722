import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packFunction } from '../../../../artifact/pack/pack-function';
import { DEFAULT_UNZIP_LIMITS } from '../../../../artifact/unzip/limits';
import { extractZip } from '../../../../artifact/unzip/safe-unzip';
import { UserError } from '../../../../common/errors';
import { type CraftedEntry, craftZip } from './craft-zip';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-unzip-'));
  scratch.push(dir);
  return dir;
}

/** A sandbox: `target` to extract into and `outside` next to it, which must stay empty. */
async function sandbox(entries: CraftedEntry[]) {
  const base = await tempDir();
  const zip = join(base, 'evil.zip');
  await writeFile(zip, craftZip(entries));
  const target = join(base, 'target');
  const outside = join(base, 'outside');
  await mkdir(outside);
  return { base, zip, target, outside };
}

async function expectRefused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(UserError);
  expect((caught as Error).message).toMatch(/^refusing to extract /);
  expect((caught as Error).message).toMatch(message);
}

const data = (text: string) => Buffer.from(text);

describe('extractZip', () => {
  it('extracts a packed function with its files, folders and modes', async () => {
    const src = await tempDir();
    await mkdir(join(src, 'lib'));
    await writeFile(join(src, 'handler.js'), 'exports.handler = 1;');
    await writeFile(join(src, 'lib/a.js'), 'a');
    await writeFile(join(src, 'run'), '#!/bin/sh', { mode: 0o755 });
    const packed = await packFunction({ sourceDir: src, outFile: join(await tempDir(), 'f.zip') });
    const out = join(await tempDir(), 'out');
    expect(await extractZip(packed.path, out)).toEqual({
      files: 3,
      bytes: 'exports.handler = 1;'.length + 1 + 9,
    });
    expect(await readFile(join(out, 'handler.js'), 'utf8')).toBe('exports.handler = 1;');
    expect(await readFile(join(out, 'lib/a.js'), 'utf8')).toBe('a');
    expect((await stat(join(out, 'run'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(out, 'handler.js'))).mode & 0o111).toBe(0);
  });

  it('creates folder entries and nested paths', async () => {
    const { zip, target } = await sandbox([
      { name: 'dir/', mode: 0o40755 },
      { name: 'dir/sub/file.txt', data: data('x') },
    ]);
    await extractZip(zip, target);
    expect(await readFile(join(target, 'dir/sub/file.txt'), 'utf8')).toBe('x');
  });

  it.each([
    ['../evil.txt', /invalid relative path/],
    ['a/../../evil.txt', /invalid relative path/],
    ['/tmp/evil.txt', /absolute path/],
    ['C:/evil.txt', /absolute path/],
    ['..\\evil.txt', /invalid characters/],
    ['a\\b.txt', /invalid characters/],
    ['a//b.txt', /not a plain relative path/],
    ['./a.txt', /not a plain relative path/],
  ])('refuses the entry name %j', async (name, message) => {
    const { zip, target, outside } = await sandbox([
      { name: 'ok.txt', data: data('ok') },
      { name, data: data('evil') },
    ]);
    await expectRefused(extractZip(zip, target), message);
    expect(await readdir(outside)).toEqual([]);
    // checks run before anything is written
    await expect(lstat(join(target, 'ok.txt'))).rejects.toThrow();
  });

  it('refuses symlink entries', async () => {
    const { zip, target } = await sandbox([{ name: 'link', data: data('/etc/passwd'), mode: 0o120777 }]);
    await expectRefused(extractZip(zip, target), /"link" is a symbolic link/);
  });

  it('refuses duplicate names', async () => {
    const { zip, target } = await sandbox([
      { name: 'a.txt', data: data('1') },
      { name: 'a.txt', data: data('2') },
    ]);
    await expectRefused(extractZip(zip, target), /"a.txt" appears more than once/);
  });

  it('refuses entries that share or overlap compressed data', async () => {
    const { zip, target } = await sandbox([
      { name: 'a.txt', data: data('payload') },
      { name: 'b.txt', data: data('payload'), shareWith: 0 },
    ]);
    await expectRefused(extractZip(zip, target), /"a.txt" and "b.txt" overlap/);
  });

  it('refuses a high-ratio entry with the default limits (zip bomb)', async () => {
    const { zip, target } = await sandbox([
      { name: 'zeros.bin', data: Buffer.alloc(20 * 1024 ** 2), deflate: true },
    ]);
    await expectRefused(extractZip(zip, target), /compression ratio of \d+:1, over the limit of 1000:1/);
  });

  it('refuses more entries than allowed', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, data: data('x') }));
    const { zip, target } = await sandbox(entries);
    await expectRefused(
      extractZip(zip, target, { ...DEFAULT_UNZIP_LIMITS, maxEntries: 5 }),
      /6 entries, over the limit of 5/,
    );
  });

  it('refuses more total bytes than allowed', async () => {
    const entries = Array.from({ length: 3 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(1000, 1) }));
    const { zip, target } = await sandbox(entries);
    await expectRefused(
      extractZip(zip, target, { ...DEFAULT_UNZIP_LIMITS, maxTotalBytes: 2500 }),
      /more than 2500 bytes in total/,
    );
  });

  it('refuses an entry over the per-entry limit', async () => {
    const { zip, target } = await sandbox([{ name: 'big', data: Buffer.alloc(5000, 1) }]);
    await expectRefused(
      extractZip(zip, target, { ...DEFAULT_UNZIP_LIMITS, maxEntryBytes: 4096 }),
      /"big" expands to 5000 bytes/,
    );
  });

  it('refuses an entry that inflates beyond its declared size', async () => {
    const { zip, target } = await sandbox([
      { name: 'liar.bin', data: Buffer.alloc(100_000, 7), deflate: true, declaredSize: 10 },
    ]);
    await expectRefused(extractZip(zip, target), /liar\.bin: too many bytes/);
  });

  it('never writes through a symlinked folder already in the target', async () => {
    const { zip, target, outside } = await sandbox([{ name: 'link/payload.txt', data: data('evil') }]);
    await mkdir(target);
    await symlink(outside, join(target, 'link'));
    await expectRefused(extractZip(zip, target), /is not a folder \(a symlink or file is in the way\)/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('never writes through a symlinked file or over an existing file', async () => {
    const { zip, target, outside } = await sandbox([{ name: 'a.txt', data: data('evil') }]);
    await mkdir(target);
    await writeFile(join(outside, 'victim'), 'safe');
    await symlink(join(outside, 'victim'), join(target, 'a.txt'));
    await expectRefused(extractZip(zip, target), /already exists; extraction never overwrites/);
    expect(await readFile(join(outside, 'victim'), 'utf8')).toBe('safe');
  });

  it('refuses something that is not a zip', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'x.zip'), 'not a zip at all');
    await expectRefused(
      extractZip(join(base, 'x.zip'), join(base, 'out')),
      /End of central directory record signature not found/,
    );
  });
});
