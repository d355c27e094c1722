import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/** One entry of a root filesystem, by its path inside the image (no leading slash). */
export type RootfsEntry =
  | { type: 'dir'; mode: number }
  | { type: 'file'; mode: number; source: string; size: number }
  | { type: 'data'; mode: number; data: Buffer }
  | { type: 'symlink'; target: string };

/**
 * A root filesystem described in memory (host files are read only when the tar streams), written
 * as a tar the Engine API imports (`docker import`): owner 0:0, fixed timestamps, parents first.
 */
export class Rootfs {
  readonly entries = new Map<string, RootfsEntry>();

  has(path: string): boolean {
    return this.entries.has(clean(path));
  }

  dir(path: string, mode = 0o755): this {
    this.entries.set(clean(path), { type: 'dir', mode });
    return this;
  }

  file(path: string, source: string, size: number, mode = 0o644): this {
    this.entries.set(clean(path), { type: 'file', mode, source, size });
    return this;
  }

  data(path: string, data: string | Buffer, mode = 0o644): this {
    this.entries.set(clean(path), { type: 'data', mode, data: Buffer.from(data) });
    return this;
  }

  symlink(path: string, target: string): this {
    this.entries.set(clean(path), { type: 'symlink', target });
    return this;
  }

  /** Bytes of file content (what dominates the time an import takes). */
  get contentBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) {
      if (entry.type === 'file') total += entry.size;
      else if (entry.type === 'data') total += entry.data.length;
    }
    return total;
  }

  /** The tar stream; `onBytes` hears of every chunk of content sent (for progress). */
  tar(onBytes?: (bytes: number) => void): Readable {
    return Readable.from(this.records(onBytes), { objectMode: false });
  }

  private async *records(onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
    const written = new Set<string>();
    for (const path of [...this.entries.keys()].sort()) {
      // Parents first, as directories, even when nobody declared them.
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        if (written.has(parent)) continue;
        written.add(parent);
        const declared = this.entries.get(parent);
        yield header(`${parent}/`, { type: '5', mode: declared?.type === 'dir' ? declared.mode : 0o755 });
      }
      if (written.has(path)) continue;
      written.add(path);
      const entry = this.entries.get(path)!;
      if (entry.type === 'dir') {
        yield header(`${path}/`, { type: '5', mode: entry.mode });
      } else if (entry.type === 'symlink') {
        yield header(path, { type: '2', mode: 0o777, linkname: entry.target });
      } else if (entry.type === 'data') {
        yield header(path, { type: '0', mode: entry.mode, size: entry.data.length });
        yield entry.data;
        onBytes?.(entry.data.length);
        yield padding(entry.data.length);
      } else {
        yield header(path, { type: '0', mode: entry.mode, size: entry.size });
        let sent = 0;
        for await (const chunk of createReadStream(entry.source)) {
          const buffer = chunk as Buffer;
          sent += buffer.length;
          if (sent > entry.size) break;
          yield buffer;
          onBytes?.(buffer.length);
        }
        if (sent !== entry.size) {
          throw new Error(`${entry.source} changed size while it was copied into the image`);
        }
        yield padding(entry.size);
      }
    }
    // Two zero blocks end the archive.
    yield Buffer.alloc(BLOCK * 2);
  }
}

const BLOCK = 512;
/** 1980-01-01, as the packer's zips: the same inputs give the same layer. */
const MTIME = 315532800;

function clean(path: string): string {
  return path.replace(/^\/+/, '').replace(/\/+$/, '');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

interface HeaderFields {
  type: '0' | '2' | '5' | 'x';
  mode: number;
  size?: number;
  linkname?: string;
}

/** A ustar header, preceded by a pax header when a name does not fit ustar's fields. */
function header(name: string, fields: HeaderFields): Buffer {
  const split = splitName(name);
  const linkFits = fields.linkname === undefined || fitsField(fields.linkname, 100);
  if (split && linkFits) return ustar(split.prefix, split.name, fields);
  const records: string[] = [];
  if (!split) records.push(paxRecord('path', name));
  if (!linkFits) records.push(paxRecord('linkpath', fields.linkname!));
  const pax = Buffer.from(records.join(''));
  const short = (value: string) => Buffer.from(value).subarray(0, 99).toString();
  return Buffer.concat([
    ustar('', `PaxHeaders/${short(name.replace(/\/$/, '').split('/').pop() ?? 'entry')}`.slice(0, 99), {
      type: 'x',
      mode: 0o644,
      size: pax.length,
    }),
    pax,
    padding(pax.length),
    ustar(split?.prefix ?? '', split?.name ?? short(name), {
      ...fields,
      ...(fields.linkname !== undefined ? { linkname: short(fields.linkname) } : {}),
    }),
  ]);
}

function fitsField(value: string, length: number): boolean {
  return Buffer.byteLength(value) <= length && /^[\x20-\x7e]*$/.test(value);
}

/** ustar's 155-byte prefix and 100-byte name, split at a slash; undefined when it cannot fit. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  const trailing = name.endsWith('/') ? 1 : 0;
  for (
    let cut = name.lastIndexOf('/', name.length - 1 - trailing);
    cut > 0;
    cut = name.lastIndexOf('/', cut - 1)
  ) {
    const prefix = name.slice(0, cut);
    const rest = name.slice(cut + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
    if (prefix.length <= 155) break;
  }
  return undefined;
}

/** `<length> <key>=<value>\n`, the length counting its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + String(bodyLength).length;
  // One more digit when counting the digits made the number longer (e.g. 98 + 2 = 100).
  if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function ustar(prefix: string, name: string, fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(fields.mode & 0o7777, 8), 100, 8, 'ascii');
  block.write(octal(0, 8), 108, 8, 'ascii');
  block.write(octal(0, 8), 116, 8, 'ascii');
  block.write(octal(fields.size ?? 0, 12), 124, 12, 'ascii');
  block.write(octal(MTIME, 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii');
  block.write(fields.type, 156, 1, 'ascii');
  if (fields.linkname) block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  block.write(octal(0, 8), 329, 8, 'ascii');
  block.write(octal(0, 8), 337, 8, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}
