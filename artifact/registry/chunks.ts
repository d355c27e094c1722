/**
 * Re-slices a byte stream into chunks of exactly `size` bytes (the last may be shorter). Each
 * chunk is yielded as its pieces, not concatenated, so no chunk-sized copy is ever made.
 */
export async function* fixedSizeChunks(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Buffer[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let buffer = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + buffer.length >= size) {
      const take = size - pendingBytes;
      pending.push(buffer.subarray(0, take));
      yield pending;
      buffer = buffer.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buffer.length > 0) {
      pending.push(buffer);
      pendingBytes += buffer.length;
    }
  }
  if (pendingBytes > 0) yield pending;
}

export function byteLength(pieces: readonly Buffer[]): number {
  return pieces.reduce((total, piece) => total + piece.length, 0);
}
