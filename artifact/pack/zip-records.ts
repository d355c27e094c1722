/**
 * The records of a zip as faasport writes it (APPNOTE 6.3): every entry deflated, sizes and CRC
 * in a data descriptor after the data (general purpose bit 3), UTF-8 names, DOS timestamps only,
 * Unix modes in the external attributes, no extra fields, no comments. The layout is the one
 * yazl's addFile writes, so a zip written from cached entries (zip-writer.ts) and one streamed by
 * yazl have the same bytes and the same digest.
 */

const UTF8_NAMES = 1 << 11;
const DATA_DESCRIPTOR_FOLLOWS = 1 << 3;
const FLAGS = UTF8_NAMES | DATA_DESCRIPTOR_FOLLOWS;
const DEFLATE = 8;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | 63; // Unix, spec 6.3

/** Beyond these the zip needs ZIP64 records, which the cached writer leaves to yazl. */
export const ZIP32_MAX_ENTRIES = 0xfffe;
export const ZIP32_MAX_BYTES = 0xfffffffe;

export interface DosTimestamp {
  time: number;
  date: number;
}

/** DOS date and time of a UTC instant (the fields, not the local time: the bytes never depend on the zone). */
export function dosTimestamp(date: Date): DosTimestamp {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/** One entry's facts, known once its data is compressed. */
export interface EntryFacts {
  name: Buffer;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Full Unix mode (file type and permission bits). */
  mode: number;
  /** Where its local header starts. */
  offset: number;
}

export function localFileHeader(name: Buffer, stamp: DosTimestamp): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAGS, 6);
  header.writeUInt16LE(DEFLATE, 8);
  header.writeUInt16LE(stamp.time, 10);
  header.writeUInt16LE(stamp.date, 12);
  // CRC and sizes: zero here, in the data descriptor after the data
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name]);
}

export function dataDescriptor(entry: EntryFacts): Buffer {
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(entry.crc32, 4);
  descriptor.writeUInt32LE(entry.compressedSize, 8);
  descriptor.writeUInt32LE(entry.size, 12);
  return descriptor;
}

export function centralDirectoryRecord(entry: EntryFacts, stamp: DosTimestamp): Buffer {
  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(VERSION_MADE_BY, 4);
  record.writeUInt16LE(VERSION_NEEDED, 6);
  record.writeUInt16LE(FLAGS, 8);
  record.writeUInt16LE(DEFLATE, 10);
  record.writeUInt16LE(stamp.time, 12);
  record.writeUInt16LE(stamp.date, 14);
  record.writeUInt32LE(entry.crc32, 16);
  record.writeUInt32LE(entry.compressedSize, 20);
  record.writeUInt32LE(entry.size, 24);
  record.writeUInt16LE(entry.name.length, 28);
  // extra field, comment, disk number, internal attributes: 0
  record.writeUInt32LE((entry.mode << 16) >>> 0, 38);
  record.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([record, entry.name]);
}

export function endOfCentralDirectory(
  entries: number,
  directorySize: number,
  directoryOffset: number,
): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(entries, 8);
  record.writeUInt16LE(entries, 10);
  record.writeUInt32LE(directorySize, 12);
  record.writeUInt32LE(directoryOffset, 16);
  return record;
}
