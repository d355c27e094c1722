import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../../../artifact/registry/chunk-reader';

/** A source that yields the given pieces in order, like a file read stream with odd buffer sizes. */
function sourceOf(pieces: Buffer[]): Readable {
  return Readable.from(pieces, { objectMode: false });
}

describe('ChunkReader', () => {
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('cuts a stream into chunks of the given lengths, whatever the source piece sizes', async () => {
    const reader = new ChunkReader(
      sourceOf([bytes.subarray(0, 7), bytes.subarray(7, 60), bytes.subarray(60)]),
    );
    const chunks = [];
    for (const length of [30, 30, 30, 10]) chunks.push(await buffer(reader.next(length)));
    await reader.end();
    expect(chunks.map((chunk) => chunk.length)).toEqual([30, 30, 30, 10]);
    expect(Buffer.concat(chunks)).toEqual(bytes);
  });

  it('fails a chunk when the source ends early, naming how many bytes were missing', async () => {
    const reader = new ChunkReader(sourceOf([bytes.subarray(0, 50)]));
    await buffer(reader.next(40));
    await expect(buffer(reader.next(40))).rejects.toThrow('ended 30 bytes before the end of a chunk');
  });

  it('end() rejects when the content is longer than the chunks taken', async () => {
    const reader = new ChunkReader(sourceOf([bytes]));
    await buffer(reader.next(99));
    await expect(reader.end()).rejects.toThrow('longer than its declared size');
  });

  it("end() passes on the source's own error (a digest mismatch found at the end)", async () => {
    const failing = new Readable({
      read() {
        this.push(bytes);
        this.destroy(new Error('digest mismatch: expected sha256:aa, got sha256:bb'));
      },
    });
    const reader = new ChunkReader(failing);
    await buffer(reader.next(100));
    await expect(reader.end()).rejects.toThrow('digest mismatch');
  });
});
