import type { Readable } from 'node:stream';
import { UserError } from '../../common/errors';

/** Reads a stream into memory, refusing more than `limit` bytes (for manifests and configs only). */
export async function readAll(stream: Readable, limit: number, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > limit) {
        throw new UserError(`${where} is larger than the ${limit}-byte limit for this kind of content`, {
          hint: 'Manifests and configs are capped so a hostile store cannot exhaust memory.',
        });
      }
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}
