import { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { DigestMismatchError, digestOf, isDigest, parseDigest, SizeMismatchError } from '../content/digest';
import type { Content, MountableStore } from '../content/store';
import {
  isManifestType,
  isSchema1Type,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MAX_MANIFEST_BYTES,
  withoutParameters,
} from '../media-types';
import { AuthClient } from './auth-client';
import { contentSource } from './content-source';
import type { CredentialProvider } from './credentials/credential';
import { defaultCredentialProvider } from './credentials/default-provider';
import { isDockerHub, type RegistryEndpoint, registryEndpoint } from './endpoint';
import { networkErrorCode, type RegistryError } from './errors';
import { HttpClient } from './http-client';
import { type RegistryLogger, stderrLogger } from './logger';
import { checkManifestReference, checkRepository, checkTag } from './names';
import { OversizedContentError, readCapped } from './read-capped';
import { RepositoryClient } from './repository-client';
import { brokenOffHint, contentRangeStart, isBrokenOff, resumingBlobStream } from './resuming-download';
import { type RetryPolicy, retryDelay, retryPolicy, sleep } from './retry';
import { repositoryScope } from './scope';
import { takeNodeBody } from './stream-transport';
import { sharedTokenCache, type TokenCache } from './token-cache';
import { type ChunkedUploadOptions, DEFAULT_CHUNKED_UPLOAD, uploadBlob } from './upload';
import { resolveUploadLocation } from './upload-location';
import { verifiedStream } from './verified-stream';

export interface RegistryStoreOptions {
  /** host[:port] as written, e.g. `127.0.0.1:5000`; `docker.io` → `registry-1.docker.io`. */
  registry: string;
  repository: string;
  /** Plain http. Default: http only for localhost, 127.0.0.0/8 and ::1. */
  insecure?: boolean;
  /** Default: docker's config.json, its credential helpers, and containers auth.json. */
  credentials?: CredentialProvider;
  /**
   * For tests. Carries every request except blob bodies in transit (uploads and blob
   * downloads). Default: every request over node:http(s) (see stream-transport.ts).
   */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Where registry `Warning: 299` notices go. Default: stderr. */
  logger?: RegistryLogger;
  chunkedUpload?: Partial<ChunkedUploadOptions>;
  /** Default: one cache shared by the process. */
  tokenCache?: TokenCache;
  /** For tests that must not wait for real backoff. */
  sleep?: (ms: number) => Promise<void>;
}

/** Manifest bytes kept for `tag` after resolve/fetch/push, so tagging needs no re-download. */
const MANIFEST_CACHE_ENTRIES = 32;

/**
 * One repository of an OCI distribution registry as a content store. Every byte read is
 * verified against its digest; every upload is streamed.
 */
export class RegistryStore implements MountableStore {
  readonly location: string;
  private readonly endpoint: RegistryEndpoint;
  private readonly client: RepositoryClient;
  private readonly retry: RetryPolicy;
  private readonly chunked: ChunkedUploadOptions;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly manifests = new Map<string, Buffer>();

  constructor(options: RegistryStoreOptions) {
    this.endpoint = registryEndpoint(options.registry, options.insecure);
    const repository = checkRepository(
      isDockerHub(options.registry) && !options.repository.includes('/')
        ? `library/${options.repository}`
        : options.repository,
      this.endpoint.registry,
    );
    this.retry = retryPolicy(options.retry);
    this.chunked = { ...DEFAULT_CHUNKED_UPLOAD, ...options.chunkedUpload };
    this.wait = options.sleep ?? sleep;
    const http = new HttpClient({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      retry: this.retry,
      logger: options.logger ?? stderrLogger,
      sleep: this.wait,
    });
    const auth = new AuthClient({
      endpoint: this.endpoint,
      http,
      credentials: options.credentials ?? defaultCredentialProvider(),
      tokens: options.tokenCache ?? sharedTokenCache,
    });
    this.client = new RepositoryClient(this.endpoint, repository, auth);
    this.location = this.client.location;
  }

  get repository(): string {
    return this.client.repository;
  }

  async resolve(reference: string): Promise<Descriptor> {
    checkManifestReference(reference, this.location);
    const operation = `resolve ${reference}`;
    const url = this.client.url(`manifests/${reference}`);
    const head = await this.client.send(
      { method: 'HEAD', url, headers: { accept: MANIFEST_ACCEPT }, retryable: true },
      'pull',
      operation,
    );
    if (head.status === 200) {
      const digest = head.headers.get('docker-content-digest');
      const type = head.headers.get('content-type');
      const size = Number(head.headers.get('content-length'));
      if (digest && isDigest(digest) && type && Number.isSafeInteger(size) && size > 0) {
        const mediaType = this.checkManifestType(type, reference);
        if (size > MAX_MANIFEST_BYTES)
          throw new OversizedContentError(`manifest ${this.location}:${reference}`, MAX_MANIFEST_BYTES);
        if (isDigest(reference) && digest !== reference) {
          throw new DigestMismatchError(reference, digest, `manifest ${this.location}@${reference}`);
        }
        return { mediaType, digest, size };
      }
    }
    // HEAD without a digest (or an error, whose body only GET carries): ask again with GET.
    return this.againIfCut(`manifest ${this.location}:${reference}`, () =>
      this.resolveByGet(reference, operation, url),
    );
  }

  private async resolveByGet(reference: string, operation: string, url: URL): Promise<Descriptor> {
    const response = await this.client.send(
      { method: 'GET', url, headers: { accept: MANIFEST_ACCEPT }, retryable: true },
      'pull',
      operation,
    );
    if (response.status !== 200) {
      const error = await this.client.error(response, operation, 'pull');
      throw error.code === 'MANIFEST_UNKNOWN' ? await this.missingRepositoryOr(error) : error;
    }
    const mediaType = this.checkManifestType(response.headers.get('content-type') ?? '', reference);
    const where = `manifest ${this.location}${isDigest(reference) ? '@' : ':'}${reference}`;
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES, where);
    const claimed = response.headers.get('docker-content-digest');
    const expected = isDigest(reference) ? reference : claimed && isDigest(claimed) ? claimed : undefined;
    const digest = digestOf(bytes, expected ? parseDigest(expected).algorithm : 'sha256');
    if (expected && digest !== expected) throw new DigestMismatchError(expected, digest, where);
    if (claimed && isDigest(claimed) && claimed !== digest)
      throw new DigestMismatchError(claimed, digest, where);
    this.remember(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /**
   * Distribution answers MANIFEST_UNKNOWN even when the whole repository is missing; the tag
   * list tells the two apart, so the user learns which name is wrong.
   */
  private async missingRepositoryOr(error: RegistryError): Promise<RegistryError> {
    const operation = `list the tags of ${this.location}`;
    try {
      const url = this.client.url('tags/list');
      url.searchParams.set('n', '1');
      const response = await this.client.send({ method: 'GET', url, retryable: true }, 'pull', operation);
      if (response.status === 404) {
        const listed = await this.client.error(response, error.operation, 'pull');
        if (listed.code === 'NAME_UNKNOWN') return listed;
      } else {
        await response.body?.cancel().catch(() => undefined);
      }
    } catch {
      // the original error is the one to report
    }
    return error;
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    parseDigest(descriptor.digest);
    if (isManifestType(descriptor.mediaType)) return Readable.from([await this.manifestBytes(descriptor)]);
    const where = `blob ${this.location}@${descriptor.digest}`;
    const first = await this.openBlob(descriptor, 0);
    const body = resumingBlobStream(first.body, {
      descriptor,
      location: this.location,
      retry: this.retry,
      wait: this.wait,
      reopen: (from) => this.openBlob(descriptor, from),
    });
    return verifiedStream(body, descriptor, where);
  }

  /**
   * A GET of a blob's bytes from `from` on: 200 for the whole, or, when resuming, 206 for the
   * rest (200 too: a registry may ignore Range, the caller then skips what it has).
   */
  private async openBlob(
    descriptor: Descriptor,
    from: number,
  ): Promise<{ response: Response; body: Readable }> {
    const operation = `download blob ${descriptor.digest}`;
    const response = await this.client.send(
      {
        method: 'GET',
        url: this.client.url(`blobs/${descriptor.digest}`),
        // the digest is over the stored bytes: no transparent decompression
        headers: { 'accept-encoding': 'identity', ...(from > 0 ? { range: `bytes=${from}-` } : {}) },
        retryable: true,
        streamed: true,
      },
      'pull',
      operation,
    );
    const where = `blob ${this.location}@${descriptor.digest}`;
    const partial = from > 0 && response.status === 206;
    if ((response.status !== 200 && !partial) || !response.body)
      throw await this.client.error(response, operation, 'pull');
    if (partial && contentRangeStart(response.headers.get('content-range'), descriptor.size) !== from) {
      await response.body.cancel().catch(() => undefined);
      throw new UserError(
        `${this.location} answered a request for ${where} from byte ${from} with the range "${response.headers.get('content-range') ?? '(none)'}"`,
        { hint: 'The registry mishandles range requests; try again, or report it to its operator.' },
      );
    }
    const declared = response.headers.get('content-length');
    const expected = partial ? descriptor.size - from : descriptor.size;
    if (declared !== null && Number(declared) !== expected) {
      await response.body.cancel().catch(() => undefined);
      throw new SizeMismatchError(expected, Number(declared), where);
    }
    const body =
      takeNodeBody(response) ?? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    return { response, body };
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    parseDigest(descriptor.digest);
    const manifest = isManifestType(descriptor.mediaType);
    const operation = `check whether ${this.location} has ${descriptor.digest}`;
    const response = await this.client.send(
      {
        method: 'HEAD',
        url: this.client.url(`${manifest ? 'manifests' : 'blobs'}/${descriptor.digest}`),
        headers: manifest ? { accept: MANIFEST_ACCEPT } : {},
        retryable: true,
      },
      'pull',
      operation,
    );
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw await this.client.error(response, operation, 'pull');
  }

  async push(descriptor: Descriptor, content: Content): Promise<void> {
    parseDigest(descriptor.digest);
    const source = contentSource(content);
    if (isManifestType(descriptor.mediaType)) {
      const bytes = await readManifestContent(source.open(), descriptor, this.location);
      await this.putManifest(descriptor, bytes, descriptor.digest);
      this.remember(descriptor.digest, bytes);
      return;
    }
    if (await this.exists(descriptor)) {
      source.discard();
      return;
    }
    await uploadBlob(this.client, descriptor, source, {
      chunked: this.chunked,
      retry: this.retry,
      sleep: this.wait,
      exists: () => this.exists(descriptor),
    });
  }

  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    checkTag(tag, this.location);
    if (!isManifestType(descriptor.mediaType)) {
      throw new UserError(
        `cannot tag ${descriptor.digest} in ${this.location}: ${descriptor.mediaType} is not a manifest`,
      );
    }
    await this.putManifest(descriptor, await this.manifestBytes(descriptor), tag);
  }

  async mount(descriptor: Descriptor, fromRepository: string): Promise<boolean> {
    parseDigest(descriptor.digest);
    checkRepository(fromRepository, this.endpoint.registry);
    const operation = `mount blob ${descriptor.digest} from ${fromRepository}`;
    const url = this.client.url('blobs/uploads/');
    url.searchParams.set('mount', descriptor.digest);
    url.searchParams.set('from', fromRepository);
    const fromScope = [repositoryScope(fromRepository, ['pull'])];
    const response = await this.client.send(
      { method: 'POST', url, headers: { 'content-length': '0' }, retryable: true },
      'push',
      operation,
      fromScope,
    );
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 201) return true;
    if (response.status !== 202) throw await this.client.error(response, operation, 'push', fromScope);
    // The registry opened an ordinary upload session instead: abandon it, the caller uploads.
    await this.cancelSession(response.headers.get('location'), url);
    return false;
  }

  private async cancelSession(location: string | null, requestUrl: URL): Promise<void> {
    try {
      const url = resolveUploadLocation(location, requestUrl, this.endpoint.registry);
      const response = await this.client.send(
        { method: 'DELETE', url, retryable: true },
        'push',
        'cancel an upload session',
      );
      await response.body?.cancel().catch(() => undefined);
    } catch {
      // best effort: the registry expires abandoned sessions itself
    }
  }

  private async putManifest(descriptor: Descriptor, bytes: Buffer, reference: string): Promise<void> {
    const operation = `push manifest ${descriptor.digest}${reference === descriptor.digest ? '' : ` as ${reference}`}`;
    const response = await this.client.send(
      {
        method: 'PUT',
        url: this.client.url(`manifests/${reference}`),
        headers: { 'content-type': descriptor.mediaType, 'content-length': String(bytes.length) },
        body: () => bytes,
        retryable: true,
      },
      'push',
      operation,
    );
    if (response.status !== 201) throw await this.client.error(response, operation, 'push');
    await response.body?.cancel().catch(() => undefined);
    const stored = response.headers.get('docker-content-digest');
    if (
      stored &&
      isDigest(stored) &&
      parseDigest(stored).algorithm === parseDigest(descriptor.digest).algorithm &&
      stored !== descriptor.digest
    ) {
      throw new DigestMismatchError(descriptor.digest, stored, `manifest stored in ${this.location}`);
    }
  }

  /** Verified manifest bytes, from the cache or the registry (capped at 4 MiB). */
  private async manifestBytes(descriptor: Descriptor): Promise<Buffer> {
    const cached = this.manifests.get(descriptor.digest);
    if (cached && cached.length === descriptor.size) return cached;
    const where = `manifest ${this.location}@${descriptor.digest}`;
    if (descriptor.size > MAX_MANIFEST_BYTES) throw new OversizedContentError(where, MAX_MANIFEST_BYTES);
    const operation = `download manifest ${descriptor.digest}`;
    const bytes = await this.againIfCut(where, async () => {
      const response = await this.client.send(
        {
          method: 'GET',
          url: this.client.url(`manifests/${descriptor.digest}`),
          headers: { accept: MANIFEST_ACCEPT },
          retryable: true,
        },
        'pull',
        operation,
      );
      if (response.status !== 200) throw await this.client.error(response, operation, 'pull');
      return readCapped(response, MAX_MANIFEST_BYTES, where);
    });
    checkBytes(bytes, descriptor, where);
    this.remember(descriptor.digest, bytes);
    return bytes;
  }

  /**
   * A manifest read whose body broke off is sent again, like a blob (manifests are small: no
   * Range), at most `retry.maxAttempts` times in all.
   */
  private async againIfCut<T>(what: string, read: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await read();
      } catch (error) {
        if (!isBrokenOff(error)) throw error;
        if (attempt >= this.retry.maxAttempts) {
          throw new UserError(
            `reading ${what} broke off on each of ${attempt} attempts (${networkErrorCode(error) ?? String(error)})`,
            { hint: brokenOffHint(this.location) },
          );
        }
        await this.wait(retryDelay(attempt, this.retry));
      }
    }
  }

  private checkManifestType(contentType: string, reference: string): string {
    const mediaType = withoutParameters(contentType);
    if (MANIFEST_MEDIA_TYPES.includes(mediaType)) return mediaType;
    const where = `${this.location}${isDigest(reference) ? '@' : ':'}${reference}`;
    if (isSchema1Type(mediaType)) {
      throw new UserError(
        `unsupported media type ${mediaType} for ${where}: Docker schema 1 manifests are not accepted`,
        {
          hint: 'Re-push the image with a current client (schema 2 or OCI).',
        },
      );
    }
    throw new UserError(`unsupported media type "${mediaType || '(none)'}" for ${where}`, {
      hint: `Expected one of: ${MANIFEST_MEDIA_TYPES.join(', ')}.`,
    });
  }

  private remember(digest: string, bytes: Buffer): void {
    this.manifests.delete(digest);
    this.manifests.set(digest, bytes);
    for (const key of this.manifests.keys()) {
      if (this.manifests.size <= MANIFEST_CACHE_ENTRIES) break;
      this.manifests.delete(key);
    }
  }
}

function checkBytes(bytes: Buffer, descriptor: Descriptor, where: string): void {
  if (bytes.length !== descriptor.size) throw new SizeMismatchError(descriptor.size, bytes.length, where);
  const digest = digestOf(bytes, parseDigest(descriptor.digest).algorithm);
  if (digest !== descriptor.digest) throw new DigestMismatchError(descriptor.digest, digest, where);
}

/** A manifest to push, read whole (they are small) and verified before it is sent. */
async function readManifestContent(
  stream: Readable,
  descriptor: Descriptor,
  location: string,
): Promise<Buffer> {
  const where = `manifest ${descriptor.digest} for ${location}`;
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    stream.destroy();
    throw new OversizedContentError(where, MAX_MANIFEST_BYTES);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > descriptor.size) {
      stream.destroy();
      throw new SizeMismatchError(descriptor.size, total, where);
    }
    chunks.push(buffer);
  }
  const bytes = Buffer.concat(chunks, total);
  checkBytes(bytes, descriptor, where);
  return bytes;
}
