import { Readable } from 'node:stream';

/**
 * Cuts one byte stream into consecutive sub-streams of given lengths, each read straight from the
 * source as it is sent: a chunk is never collected in memory, so a chunked upload of any size
 * holds only the pieces in flight. The source is read once, in order; the sub-streams must be
 * consumed one after the other.
 */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private leftover: Buffer | undefined;

  constructor(private readonly source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next `length` bytes as a stream; fails if the source ends (or fails) before that. */
  next(length: number): Readable {
    const reader = this;
    let remaining = length;
    return new Readable({
      read() {
        if (remaining === 0) return;
        reader.piece().then(
          (piece) => {
            if (piece === undefined) {
              this.destroy(new Error(`the content ended ${remaining} bytes before the end of a chunk`));
              return;
            }
            const taken = piece.length > remaining ? piece.subarray(0, remaining) : piece;
            if (taken !== piece) reader.leftover = piece.subarray(taken.length);
            remaining -= taken.length;
            this.push(taken);
            if (remaining === 0) this.push(null);
          },
          (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
        );
      },
    });
  }

  /**
   * Resolves once the source has ended cleanly with nothing left over, i.e. after a verifying
   * source checked its digest; rejects with the source's error (e.g. a digest mismatch).
   */
  async end(): Promise<void> {
    const piece = await this.piece();
    if (piece !== undefined) throw new Error('the content is longer than its declared size');
  }

  /** Stops reading and releases the source (its file, its socket). */
  close(): void {
    this.source.destroy();
  }

  private async piece(): Promise<Buffer | undefined> {
    const leftover = this.leftover;
    if (leftover !== undefined) {
      this.leftover = undefined;
      return leftover;
    }
    for (;;) {
      const { value, done } = await this.iterator.next();
      if (done) return undefined;
      if (value.byteLength > 0) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  }
}
