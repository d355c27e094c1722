import { open } from 'node:fs/promises';
import { UserError } from '../../common/errors';

export interface TarEntry {
  name: string;
  /** Byte offset of the entry's data in the archive. */
  offset: number;
  size: number;
}

const BLOCK = 512;

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString('utf8');
}

/** Octal, or GNU base-256 (high bit set) for sizes beyond 8 GiB. */
function numeric(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = cString(block, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** `path=…` from a pax extended header (records are `<len> <key>=<value>\n`). */
function paxPath(data: Buffer): string | undefined {
  let position = 0;
  let path: string | undefined;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space < 0) break;
    const length = Number.parseInt(data.subarray(position, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, position + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (record.slice(0, equals) === 'path') path = record.slice(equals + 1);
    position += length;
  }
  return path;
}

/**
 * Lists the regular files of a tar archive with their data offsets, reading only the headers
 * (ustar, pax `path`, GNU long names), so members can be streamed later by byte range.
 */
export async function indexTar(path: string): Promise<Map<string, TarEntry>> {
  const file = await open(path, 'r');
  const entries = new Map<string, TarEntry>();
  try {
    const { size: total } = await file.stat();
    const header = Buffer.alloc(BLOCK);
    let position = 0;
    let longName: string | undefined;
    while (position + BLOCK <= total) {
      await file.read(header, 0, BLOCK, position);
      if (header.every((byte) => byte === 0)) break;
      const size = numeric(header, 124, 12);
      const type = String.fromCharCode(header[156] || 0x30);
      const dataOffset = position + BLOCK;
      if (dataOffset + size > total) {
        throw new UserError(`${path} is not a complete tar archive (an entry runs past the end)`);
      }
      const readData = async () => {
        const data = Buffer.alloc(Math.min(size, 1024 * 1024));
        await file.read(data, 0, data.length, dataOffset);
        return data;
      };
      if (type === 'x') {
        longName = paxPath(await readData()) ?? longName;
      } else if (type === 'L') {
        longName = cString(await readData(), 0, size);
      } else {
        const prefix = cString(header, 345, 155);
        const name = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
        longName = undefined;
        if (type === '0' || type === '\0' || type === '7') {
          entries.set(name.replace(/^\.\//, ''), { name, offset: dataOffset, size });
        }
      }
      position = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await file.close();
  }
  return entries;
}
