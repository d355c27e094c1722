import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { expect, test } from 'vitest';
import { indexTar } from '../../../artifact/image/tar-index';
import { Rootfs } from '../../../emulator/engines/rootfs-tar';
import { tempDir } from '../../helpers/temp-dir';

/** Every header of an archive: name (pax path applied), type, mode, owner, link. */
function headers(tar: Buffer) {
  const out: { name: string; type: string; mode: number; uid: number; link: string }[] = [];
  const text = (start: number, length: number, at: number) =>
    tar
      .subarray(at + start, at + start + length)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  let pax: Record<string, string> = {};
  for (let at = 0; at + 512 <= tar.length; ) {
    if (tar.subarray(at, at + 512).every((byte) => byte === 0)) break;
    const size = Number.parseInt(text(124, 12, at), 8);
    const type = text(156, 1, at);
    const stored = tar.subarray(at, at + 512);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : stored[i]!;
    expect(Number.parseInt(text(148, 8, at), 8)).toBe(sum);
    if (type === 'x') {
      // Each record is `<length> <key>=<value>\n`, its length counting every byte of it.
      const records = tar.subarray(at + 512, at + 512 + size);
      pax = {};
      for (let position = 0; position < records.length; ) {
        const space = records.indexOf(0x20, position);
        const length = Number(records.subarray(position, space).toString());
        const record = records.subarray(space + 1, position + length).toString();
        expect(record.endsWith('\n')).toBe(true);
        const equals = record.indexOf('=');
        pax[record.slice(0, equals)] = record.slice(equals + 1, -1);
        position += length;
      }
    } else {
      const prefix = text(345, 155, at);
      const short = prefix ? `${prefix}/${text(0, 100, at)}` : text(0, 100, at);
      out.push({
        name: pax.path ?? short,
        type,
        mode: Number.parseInt(text(100, 8, at), 8),
        uid: Number.parseInt(text(108, 8, at), 8),
        link: pax.linkpath ?? text(157, 100, at),
      });
      pax = {};
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

test('parents come first, owners are 0, modes kept, long names and links survive, content is intact', async () => {
  const dir = await tempDir();
  const source = join(dir, 'node');
  await writeFile(source, 'x'.repeat(1000));
  const deep = `usr/lib/${'d'.repeat(120)}/${'f'.repeat(110)}.py`;
  const longLink = `/${'t'.repeat(150)}`;
  const rootfs = new Rootfs()
    .file('/usr/local/bin/node', source, 1000, 0o755)
    .dir('tmp', 0o1777)
    .data('etc/passwd', 'root:x:0:0::/root:/sbin/nologin\n')
    .data(deep, 'print(1)\n')
    .symlink('usr/bin/python3', 'python3.11')
    .symlink('usr/lib/ssl/cert.pem', longLink);
  const tar = await buffer(rootfs.tar());
  const list = headers(tar);
  expect(list.map((h) => h.name)).toEqual([
    'etc/',
    'etc/passwd',
    'tmp/',
    'usr/',
    'usr/bin/',
    'usr/bin/python3',
    'usr/lib/',
    `usr/lib/${'d'.repeat(120)}/`,
    deep,
    'usr/lib/ssl/',
    'usr/lib/ssl/cert.pem',
    'usr/local/',
    'usr/local/bin/',
    'usr/local/bin/node',
  ]);
  expect(list.every((h) => h.uid === 0)).toBe(true);
  expect(list.find((h) => h.name === 'tmp/')).toMatchObject({ type: '5', mode: 0o1777 });
  expect(list.find((h) => h.name === 'usr/local/bin/node')).toMatchObject({ type: '0', mode: 0o755 });
  expect(list.find((h) => h.name === 'usr/bin/python3')).toMatchObject({ type: '2', link: 'python3.11' });
  expect(list.find((h) => h.name === 'usr/lib/ssl/cert.pem')).toMatchObject({ type: '2', link: longLink });
  expect(tar.length % 512).toBe(0);

  await writeFile(join(dir, 'rootfs.tar'), tar);
  const index = await indexTar(join(dir, 'rootfs.tar'));
  const node = index.get('usr/local/bin/node')!;
  expect(tar.subarray(node.offset, node.offset + node.size).toString()).toBe('x'.repeat(1000));
  expect(index.has(deep)).toBe(true);
  expect(rootfs.contentBytes).toBe(1000 + 'root:x:0:0::/root:/sbin/nologin\n'.length + 'print(1)\n'.length);
});

test('a file that changed size while streaming fails the tar rather than corrupting it', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'f'), 'short');
  await expect(buffer(new Rootfs().file('f', join(dir, 'f'), 50).tar())).rejects.toThrow(/changed size/);
});
