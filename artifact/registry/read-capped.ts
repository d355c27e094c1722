import { UserError } from '../../common/errors';

/** Raised when a manifest, index or token response exceeds its cap. */
export class OversizedContentError extends UserError {
  constructor(what: string, limit: number) {
    super(`${what} is larger than the ${formatBytes(limit)} limit`, {
      hint: 'Manifests and token responses are capped at 4 MiB; this content is not a valid manifest or the server is misbehaving.',
    });
  }
}

/** Reads a whole response body into memory, refusing more than `limit` bytes. */
export async function readCapped(response: Response, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new OversizedContentError(what, limit);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new OversizedContentError(what, limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks, total);
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
