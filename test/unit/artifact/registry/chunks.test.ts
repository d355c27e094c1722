import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { byteLength, fixedSizeChunks } from '../../../../artifact/registry/chunks';

async function collect(pieces: Buffer[], size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of fixedSizeChunks(Readable.from(pieces), size)) {
    expect(byteLength(chunk)).toBe(Buffer.concat(chunk).length);
    out.push(Buffer.concat(chunk));
  }
  return out;
}

describe('fixedSizeChunks', () => {
  test('re-slices arbitrary pieces into exact sizes, keeping every byte in order', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const pieces = [
      bytes.subarray(0, 7),
      bytes.subarray(7, 300),
      bytes.subarray(300, 301),
      bytes.subarray(301),
    ];
    const chunks = await collect(pieces, 256);
    expect(chunks.map((c) => c.length)).toEqual([256, 256, 256, 232]);
    expect(Buffer.concat(chunks)).toEqual(bytes);
  });

  test('exact multiples give no empty tail; empty input gives nothing', async () => {
    expect((await collect([Buffer.alloc(512)], 256)).map((c) => c.length)).toEqual([256, 256]);
    expect(await collect([], 256)).toEqual([]);
  });
});
