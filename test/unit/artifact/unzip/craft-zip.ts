import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-made zip; the fields let tests lie the way hostile zips do. */
export interface CraftedEntry {
  name: string;
  data?: Buffer;
  /** Unix mode including the file type, e.g. 0o100644 or 0o120777 (symlink). */
  mode?: number;
  deflate?: boolean;
  /** Declared uncompressed size, when it should differ from the truth. */
  declaredSize?: number;
  /** Share the local header (and data) of an earlier entry: the overlapping-entries bomb. */
  shareWith?: number;
}

/** Writes a zip byte by byte (local headers, central directory, end record), with no validation. */
export function craftZip(entries: CraftedEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((entry, i) => {
    const name = Buffer.from(entry.name, 'utf8');
    const raw = entry.data ?? Buffer.alloc(0);
    const stored = entry.deflate ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const method = entry.deflate ? 8 : 0;
    const size = entry.declaredSize ?? raw.length;
    let headerOffset: number;
    if (entry.shareWith !== undefined) {
      headerOffset = offsets[entry.shareWith]!;
    } else {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x800, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt16LE(0, 10);
      local.writeUInt16LE(0x21, 12); // 1980-01-01
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(stored.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      headerOffset = offset;
      locals.push(local, name, stored);
      offset += local.length + name.length + stored.length;
    }
    offsets[i] = headerOffset;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(headerOffset, 42);
    centrals.push(central, name);
  });
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
