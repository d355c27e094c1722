import { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Content } from '../content/store';

/** Content as something we can open (again, when it is replayable) for an upload attempt. */
export interface ContentSource {
  open(): Readable;
  /** False for a bare Readable: an upload that fails half-way cannot be restarted. */
  readonly replayable: boolean;
  /** Releases a one-shot stream that will not be read (the blob was already there). */
  discard(): void;
}

export function contentSource(content: Content): ContentSource {
  if (content instanceof Uint8Array) {
    const bytes = content;
    return {
      open: () => Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
      replayable: true,
      discard() {},
    };
  }
  if (typeof content === 'function') return { open: content, replayable: true, discard() {} };
  let used = false;
  return {
    open() {
      if (used) {
        throw new UserError('cannot retry an upload from a one-shot stream', {
          hint: 'Pass a function that opens the content again, so interrupted uploads can restart.',
        });
      }
      used = true;
      return content;
    },
    replayable: false,
    discard() {
      if (!used) content.destroy();
    },
  };
}
