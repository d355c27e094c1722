import { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { networkErrorCode } from './errors';
import { isTransientNetworkError, type RetryPolicy, retryDelay } from './retry';

export interface ResumingDownload {
  descriptor: Pick<Descriptor, 'digest' | 'size'>;
  /** `<registry>/<repository>`, for the final error. */
  location: string;
  retry: RetryPolicy;
  wait: (ms: number) => Promise<void>;
  /**
   * GET of the blob again, from byte `from` (a `Range: bytes=<from>-` request when above 0).
   * Statuses other than 200/206 are the caller's to turn into errors (it throws).
   */
  reopen(from: number): Promise<{ response: Response; body: Readable }>;
}

/** Every attempt at a blob broke off: named by blob and registry, with how far it got. */
export class BlobDownloadError extends UserError {
  constructor(download: ResumingDownload, attempts: number, received: number, reason: string) {
    const { descriptor, location } = download;
    super(
      `the download of blob ${descriptor.digest} from ${location} broke off on each of ${attempts} attempts (the last at ${received} of ${descriptor.size} bytes: ${reason})`,
      {
        hint: `${brokenOffHint(location)} Nothing was kept of the partial download.`,
      },
    );
  }
}

/**
 * The blob body, carried on across connections that break off: a reset or a body that ends
 * short is picked up again after a backoff with `Range: bytes=<received>-` (a 206 continues
 * where it stopped; a registry that answers 200 is read again from the first byte, skipping what
 * was already passed on), at most `retry.maxAttempts` connections in all. The caller verifies
 * the digest over the whole, so a resumed body is checked like any other.
 */
export function resumingBlobStream(first: Readable, download: ResumingDownload): Readable {
  return Readable.from(chunks(first, download), { objectMode: false });
}

async function* chunks(first: Readable, download: ResumingDownload): AsyncGenerator<Buffer> {
  const { size } = download.descriptor;
  let body: Readable = first;
  let skip = 0;
  let received = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        for await (const chunk of body) {
          let piece = chunk as Buffer;
          if (skip > 0) {
            const dropped = Math.min(skip, piece.length);
            skip -= dropped;
            piece = piece.subarray(dropped);
            if (piece.length === 0) continue;
          }
          received += piece.length;
          yield piece;
        }
        // a body that is too long is the verifier's to report, with the digest
        if (received >= size) return;
        reason = 'the body ended early';
      } catch (error) {
        if (!isBrokenOff(error)) throw error;
        reason = networkErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
      }
      if (attempt >= download.retry.maxAttempts)
        throw new BlobDownloadError(download, attempt, received, reason);
      await download.wait(retryDelay(attempt, download.retry));
      const next = await download.reopen(received);
      body = next.body;
      // 200 to a Range request: the registry sends everything again
      skip = next.response.status === 200 ? received : 0;
    }
  } finally {
    body.destroy();
  }
}

/** What to do about a registry whose answers keep breaking off. */
export function brokenOffHint(location: string): string {
  return `The registry or the network to it keeps cutting the connection; try again later, or check any proxy between here and ${location.split('/')[0]}.`;
}

/** A connection that broke off mid-body (Node reports `aborted` / ECONNRESET, undici `terminated`). */
export function isBrokenOff(error: unknown): boolean {
  if (error instanceof UserError) return false;
  const code = networkErrorCode(error);
  return (
    code === 'ERR_STREAM_PREMATURE_CLOSE' || isTransientNetworkError(error) || /aborted/i.test(String(error))
  );
}

/**
 * The start of a 206 answer's `Content-Range: bytes <start>-<end>/<total>`; undefined when the
 * header is missing or does not describe the rest of a blob of `size` bytes.
 */
export function contentRangeStart(header: string | null, size: number): number | undefined {
  const match = header ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [start, end, total] = [Number(match[1]), Number(match[2]), match[3]];
  if (end !== size - 1 || (total !== '*' && Number(total) !== size)) return undefined;
  return start;
}
