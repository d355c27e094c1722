import { createWriteStream } from 'node:fs';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ZipFile } from 'yazl';
import { digestOf } from '../../../../artifact/content/digest';
import { CompressedEntryCache } from '../../../../artifact/pack/entry-cache';
import { packFunction } from '../../../../artifact/pack/pack-function';
import { writeDeterministicZip, type ZipEntry } from '../../../../artifact/pack/zip-writer';
import { tempDir } from '../../../helpers/temp-dir';

/** The reference: yazl's addFile with the options faasport has always packed with. */
async function yazlZip(entries: ZipEntry[], out: string, epochSeconds: number): Promise<Buffer> {
  const utc = new Date(epochSeconds * 1000);
  const mtime = new Date(
    utc.getUTCFullYear(),
    utc.getUTCMonth(),
    utc.getUTCDate(),
    utc.getUTCHours(),
    utc.getUTCMinutes(),
    utc.getUTCSeconds(),
  );
  const zip = new ZipFile();
  for (const entry of entries) {
    zip.addFile(entry.absolutePath, entry.path, {
      mtime,
      mode: 0o100000 | (entry.executable ? 0o755 : 0o644),
      compress: true,
      compressionLevel: 6,
      forceDosTimestamp: true,
    });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(out));
  return readFile(out);
}

/** Deterministic bytes that compress like text, of any length. */
function text(length: number, seed: number): Buffer {
  const words = ['module', 'exports', 'const', 'return', 'function', 'await', '=>', '{', '}', '\n'];
  let state = seed;
  let out = '';
  while (out.length < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out += `${words[state % words.length]} `;
  }
  return Buffer.from(out.slice(0, length));
}

describe('the cached zip writer', () => {
  it('writes the same bytes as yazl for empty, small, large, binary, executable and UTF-8-named files', async () => {
    const dir = await tempDir();
    const files: [string, Buffer, boolean][] = [
      ['empty.txt', Buffer.alloc(0), false],
      ['handler.js', Buffer.from('exports.handler = async () => 1;\n'), false],
      ['bin/run', Buffer.from('#!/bin/sh\necho hi\n'), true],
      ['large.js', text(300_000, 7), false], // several of zlib's internal blocks
      ['random.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)), false],
      ['naïve/日本.json', Buffer.from('{"ok":true}'), false],
    ];
    const entries: ZipEntry[] = [];
    for (const [path, bytes, executable] of files) {
      const absolutePath = join(dir, path.replaceAll('/', '_'));
      await writeFile(absolutePath, bytes);
      entries.push({ path, absolutePath, executable });
    }
    for (const epoch of [315_532_800, 1_700_000_001]) {
      const ours = await writeDeterministicZip(entries, join(dir, `ours-${epoch}.zip`), epoch);
      const reference = await yazlZip(entries, join(dir, `yazl-${epoch}.zip`), epoch);
      const bytes = await readFile(ours.path);
      expect(bytes.equals(reference)).toBe(true);
      expect(ours.digest).toBe(digestOf(reference));
      expect(ours.size).toBe(reference.length);
    }
  });

  it('reads a file again only when its identity changed', async () => {
    const dir = await tempDir();
    const source = join(dir, 'src');
    await mkdir(source);
    for (let i = 0; i < 20; i++) await writeFile(join(source, `f${i}.js`), text(5000, i));
    const cache = new CompressedEntryCache();
    const out = join(dir, 'fn.zip');
    const first = await packFunction({ sourceDir: source, outFile: out, cache });
    expect(cache.reads).toBe(20);

    const again = await packFunction({ sourceDir: source, outFile: out, cache });
    expect(cache.reads).toBe(20);
    expect(again.digest).toBe(first.digest);

    // Same size, new contents and a new mtime: read again, and the digest follows the contents.
    await writeFile(join(source, 'f3.js'), text(5000, 99));
    const edited = await packFunction({ sourceDir: source, outFile: out, cache });
    expect(cache.reads).toBe(21);
    expect(edited.digest).not.toBe(first.digest);
    expect(edited.digest).toBe(
      (await packFunction({ sourceDir: source, outFile: join(dir, 'cold.zip') })).digest,
    );

    // A touch changes the identity, not the bytes: read again, same digest.
    const later = new Date(Date.now() + 5000);
    await utimes(join(source, 'f5.js'), later, later);
    expect((await packFunction({ sourceDir: source, outFile: out, cache })).digest).toBe(edited.digest);
    expect(cache.reads).toBe(22);
  });
});
