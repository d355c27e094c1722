import { Readable } from 'node:stream';
import type { Content } from '../content/store';

/** Opens push content as a stream (once; stores that keep content locally never need a replay). */
export function contentStream(content: Content): Readable {
  if (content instanceof Uint8Array) {
    return Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)]);
  }
  return typeof content === 'function' ? content() : content;
}

/** Releases content that will not be read because the store already holds it. */
export function discardContent(content: Content): void {
  if (content instanceof Readable) content.destroy();
}
