export interface LineSplitterOptions {
  /**
   * Bytes a line may keep; the rest of it, up to its newline, is dropped and never held in
   * memory. Unbounded when absent.
   */
  maxLineBytes?: number;
  /**
   * Called once per cut line, after it was emitted, with the bytes dropped from it and the last
   * of them (up to `TAIL_BYTES`, decoded): what ended the line may matter.
   */
  onCut?(droppedBytes: number, tail: string): void;
}

const NEWLINE = 0x0a;
/** How much of a cut line's end is kept for `onCut`. */
export const TAIL_BYTES = 256;

/**
 * Turns a byte stream into complete lines (the last partial line is flushed at the end). Each
 * byte is looked at once: a partial line is kept as a list of chunks, joined only when its
 * newline arrives, so a long line costs linear time, and with `maxLineBytes` bounded memory.
 */
export function lineSplitter(
  emit: (line: string) => void,
  options: LineSplitterOptions = {},
): { write(chunk: Buffer): void; end(): void } {
  const max = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  let parts: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  let tail: Buffer = Buffer.alloc(0);

  /** Keeps what fits of `piece`; `copy` when the piece outlives the chunk it is part of. */
  const keep = (piece: Buffer, copy: boolean) => {
    const room = max - kept;
    if (piece.length > room) {
      const cut = piece.subarray(room);
      dropped += cut.length;
      // Copied: the chunk may be reused by its producer.
      tail = Buffer.concat([tail, cut.subarray(-TAIL_BYTES)]).subarray(-TAIL_BYTES);
      piece = piece.subarray(0, room);
    }
    if (piece.length > 0) {
      parts.push(copy ? Buffer.from(piece) : piece);
      kept += piece.length;
    }
  };
  const finish = () => {
    const line = Buffer.concat(parts, kept);
    const cut = dropped;
    const end = tail.toString('utf8');
    parts = [];
    kept = 0;
    dropped = 0;
    tail = Buffer.alloc(0);
    emit(cut > 0 ? line.subarray(0, completeUtf8Length(line)).toString('utf8') : line.toString('utf8'));
    if (cut > 0) options.onCut?.(cut, end);
  };

  return {
    write(chunk) {
      let start = 0;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
        keep(chunk.subarray(start, at), false);
        finish();
        start = at + 1;
      }
      // A chunk may be reused by its producer: what is kept past this call is copied.
      if (start < chunk.length) keep(chunk.subarray(start), true);
    },
    end() {
      if (kept > 0 || dropped > 0) finish();
    },
  };
}

/** The length of `bytes` without a UTF-8 sequence cut off at its end. */
function completeUtf8Length(bytes: Buffer): number {
  // Walk back over at most three continuation bytes to the last sequence's lead byte.
  for (let back = 1; back <= Math.min(4, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needs > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
