import type { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { ChunkReader } from './chunk-reader';
import type { ContentSource } from './content-source';
import { RegistryError, RegistryUnreachableError } from './errors';
import type { RepositoryClient } from './repository-client';
import { isRetryableStatus, isTransientNetworkError, type RetryPolicy, retryDelay } from './retry';
import { resolveUploadLocation, withDigestParameter } from './upload-location';
import { verifiedStream } from './verified-stream';

export interface ChunkedUploadOptions {
  /** Blobs larger than this go up in PATCH chunks. Default 256 MiB. */
  threshold: number;
  /** Bytes per PATCH (raised to the registry's OCI-Chunk-Min-Length). Default 16 MiB. */
  chunkSize: number;
}

export const DEFAULT_CHUNKED_UPLOAD: ChunkedUploadOptions = {
  threshold: 256 * 1024 * 1024,
  chunkSize: 64 * 1024 * 1024,
};

export interface UploadOptions {
  chunked: ChunkedUploadOptions;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** Re-checked before every restart: an attempt whose reply was lost may have completed. */
  exists: () => Promise<boolean>;
}

/** The registry refused a monolithic PUT as too large: switch this blob to chunks. */
class ChunksRequired extends Error {}

/** A chunk was asked for a second time (a resend): restart the upload from the source. */
class ChunkNotReplayable extends Error {
  constructor() {
    super('a streamed chunk cannot be sent twice; restarting the upload');
  }
}

/** Upload session problems that a fresh session can fix. */
const RESTARTABLE_CODES = new Set(['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID']);

function isRestartable(error: unknown): boolean {
  if (error instanceof ChunkNotReplayable) return true;
  if (error instanceof RegistryUnreachableError && error.cause instanceof ChunkNotReplayable) return true;
  if (error instanceof RegistryError)
    return isRetryableStatus(error.status) || RESTARTABLE_CODES.has(error.code ?? '');
  if (error instanceof RegistryUnreachableError) return isTransientNetworkError(error.cause);
  return !(error instanceof UserError) && isTransientNetworkError(error);
}

/**
 * Uploads a blob: monolithic POST → PUT by default (streamed, never buffered), chunked PATCHes
 * above the threshold or when the registry refuses a large PUT. A failed attempt restarts with a
 * new session after checking the blob is not already there, so nothing is committed twice.
 */
export async function uploadBlob(
  client: RepositoryClient,
  descriptor: Descriptor,
  source: ContentSource,
  options: UploadOptions,
): Promise<void> {
  let chunked = descriptor.size > options.chunked.threshold;
  for (let attempt = 1; ; attempt++) {
    try {
      if (attempt > 1 && (await options.exists())) return;
      if (chunked) await uploadInChunks(client, descriptor, source, options.chunked);
      else await uploadMonolithic(client, descriptor, source);
      return;
    } catch (error) {
      if (error instanceof ChunksRequired && !chunked) {
        chunked = true;
        attempt--;
        continue;
      }
      if (!isRestartable(error) || !source.replayable || attempt >= options.retry.maxAttempts) throw error;
      const after = error instanceof RegistryError ? error.retryAfterMs : undefined;
      await options.sleep(
        after !== undefined
          ? Math.min(after, options.retry.maxRetryAfterMs)
          : retryDelay(attempt, options.retry),
      );
    }
  }
}

interface Session {
  location: URL;
  minChunk: number;
}

async function startSession(client: RepositoryClient, descriptor: Descriptor): Promise<Session> {
  const operation = `start the upload of blob ${descriptor.digest}`;
  const url = client.url('blobs/uploads/');
  // Replaying a POST only opens another session, which the registry garbage-collects.
  const response = await client.send(
    { method: 'POST', url, headers: { 'content-length': '0' }, retryable: true },
    'push',
    operation,
  );
  if (response.status !== 202) throw await client.error(response, operation, 'push');
  await response.body?.cancel().catch(() => undefined);
  const minChunk = Number(response.headers.get('oci-chunk-min-length') ?? 0);
  return {
    location: resolveUploadLocation(response.headers.get('location'), url, client.endpoint.registry),
    minChunk: Number.isFinite(minChunk) && minChunk > 0 ? minChunk : 0,
  };
}

async function uploadMonolithic(
  client: RepositoryClient,
  descriptor: Descriptor,
  source: ContentSource,
): Promise<void> {
  const { location } = await startSession(client, descriptor);
  const operation = `upload blob ${descriptor.digest}`;
  const response = await client.send(
    {
      method: 'PUT',
      url: withDigestParameter(location, descriptor.digest),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(descriptor.size) },
      body: () => verifiedStream(source.open(), descriptor, `blob ${descriptor.digest} being uploaded`),
      retryable: false,
    },
    'push',
    operation,
  );
  if (response.status === 201) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  if (response.status === 413) {
    await response.body?.cancel().catch(() => undefined);
    throw new ChunksRequired();
  }
  throw await client.error(response, operation, 'push');
}

async function uploadInChunks(
  client: RepositoryClient,
  descriptor: Descriptor,
  source: ContentSource,
  options: ChunkedUploadOptions,
): Promise<void> {
  const session = await startSession(client, descriptor);
  let location = session.location;
  const chunkSize = Math.max(options.chunkSize, session.minChunk);
  const operation = `upload a chunk of blob ${descriptor.digest}`;
  const chunks = new ChunkReader(
    verifiedStream(source.open(), descriptor, `blob ${descriptor.digest} being uploaded`),
  );
  try {
    for (let offset = 0; offset < descriptor.size; ) {
      const length = Math.min(chunkSize, descriptor.size - offset);
      let body: Readable | undefined = chunks.next(length);
      const response = await client.send(
        {
          method: 'PATCH',
          url: location,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(length),
            'content-range': `${offset}-${offset + length - 1}`,
          },
          // Streamed from the source, never held: a resend (auth refresh, redirect) cannot replay
          // it, so the whole upload restarts from a new session instead.
          body: () => {
            const once = body;
            body = undefined;
            if (!once) throw new ChunkNotReplayable();
            return once;
          },
          retryable: false,
        },
        'push',
        operation,
      );
      if (response.status !== 202) throw await client.error(response, operation, 'push');
      await response.body?.cancel().catch(() => undefined);
      offset += length;
      checkRange(response.headers.get('range'), offset, client, descriptor);
      // Always continue from the newest Location: older ones carry stale upload state.
      location = resolveUploadLocation(response.headers.get('location'), location, client.endpoint.registry);
    }
    // the verifier checks the digest when the source ends: nothing is committed before that
    await chunks.end();
  } finally {
    chunks.close();
  }
  const finish = `complete the upload of blob ${descriptor.digest}`;
  const response = await client.send(
    {
      method: 'PUT',
      url: withDigestParameter(location, descriptor.digest),
      headers: { 'content-length': '0' },
      retryable: false,
    },
    'push',
    finish,
  );
  if (response.status !== 201) throw await client.error(response, finish, 'push');
  await response.body?.cancel().catch(() => undefined);
}

/** We track offsets ourselves; a registry that reports a different end lost data. */
function checkRange(
  range: string | null,
  offset: number,
  client: RepositoryClient,
  descriptor: Descriptor,
): void {
  const match = range ? /^(?:bytes=)?0-(\d+)$/.exec(range.trim()) : null;
  if (!match) return;
  const end = Number(match[1]);
  if (end !== offset - 1) {
    throw new RegistryError(
      `${client.location} acknowledged ${end + 1} bytes of blob ${descriptor.digest} where ${offset} were sent`,
      {
        status: 416,
        code: 'BLOB_UPLOAD_INVALID',
        registry: client.endpoint.registry,
        repository: client.repository,
        operation: 'upload a chunk',
        hint: 'The upload will be restarted from the beginning.',
      },
    );
  }
}
