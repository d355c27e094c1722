import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32cBase64 } from '../../common/crc32c';
import { type CloudRequest, type CloudResponse, type CloudRoute, cloudRoute } from '../control-plane-server';
import type { StorageSource } from './function-resource';
import type { GcpCloudBehaviour } from './gcp-faults';
import { parseMultipartRelated } from './multipart-related';

/** An object's JSON API resource (the fields the storage client reads) and its bytes. */
interface StoredObject {
  meta: {
    bucket: string;
    name: string;
    generation: string;
    metageneration: string;
    contentType: string;
    size: string;
    md5Hash: string;
    crc32c: string;
    etag: string;
    timeCreated: string;
    updated: string;
    storageClass: string;
  };
  bytes: Buffer;
}

export interface StorageObjectsOptions {
  /** Faults: buckets that do not exist, or that the caller may not use. */
  behaviour: Pick<GcpCloudBehaviour, 'missingBuckets' | 'deniedBuckets'>;
  /** Write-through copy under `<dir>/<bucket>/<object, URL-encoded>.{data,json}`. */
  dir?: string;
  /** The server's base URL, for `selfLink` and `mediaLink`. */
  baseUrl(): string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const CALLER = 'faasport-local@faasport-local.iam.gserviceaccount.com';

/**
 * The slice of the Cloud Storage JSON API that staging a function's source in a bucket needs:
 * objects.get (metadata, or `alt=media`), objects.insert (`uploadType=multipart` or `media`, with
 * `ifGenerationMatch`) and objects.delete (the client deletes an upload whose checksum it rejects).
 * Buckets are implicit: every well-formed name exists, except those `behaviour.missingBuckets`
 * lists (404) and those `behaviour.deniedBuckets` lists (403), as a real project would answer for
 * a bucket nobody created or one the deploying identity has no role on. Objects live in memory
 * (and under `dir` when given, restored by `restore`).
 */
export class StorageObjects {
  private readonly objects = new Map<string, StoredObject>();
  private lastGeneration = 0;

  constructor(private readonly options: StorageObjectsOptions) {}

  /** The bytes of an object named by a function's source, at its generation when one is given. */
  get(source: StorageSource): Buffer | undefined {
    const stored = this.objects.get(key(source.bucket, source.object));
    if (!stored) return undefined;
    const generation = source.generation === undefined ? undefined : String(source.generation);
    if (generation && generation !== '0' && generation !== stored.meta.generation) return undefined;
    return stored.bytes;
  }

  routes(): CloudRoute[] {
    const route = cloudRoute;
    return [
      route('GET', '/storage/v1/b/{bucket}/o/{object}', 'GetObject', false, (q) => this.getObject(q)),
      route('POST', '/upload/storage/v1/b/{bucket}/o', 'InsertObject', true, (q) => this.insert(q)),
      route('DELETE', '/storage/v1/b/{bucket}/o/{object}', 'DeleteObject', true, (q) => this.delete(q)),
    ];
  }

  async restore(): Promise<void> {
    const dir = this.options.dir;
    if (!dir) return;
    for (const bucket of await readdir(dir).catch(() => [] as string[])) {
      for (const file of await readdir(join(dir, bucket)).catch(() => [] as string[])) {
        if (!file.endsWith('.json')) continue;
        const base = join(dir, bucket, file.slice(0, -'.json'.length));
        const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as StoredObject['meta'];
        const bytes = await readFile(`${base}.data`).catch(() => undefined);
        if (!bytes) continue;
        this.objects.set(key(meta.bucket, meta.name), { meta, bytes });
        this.lastGeneration = Math.max(this.lastGeneration, Number(meta.generation));
      }
    }
  }

  /** The bucket's refusal, if any: 400 bad name, 404 missing, 403 denied. */
  private refusal(bucket: string, permission: string): CloudResponse | undefined {
    if (!BUCKET_NAME.test(bucket)) return storageError(400, 'invalid', `Invalid bucket name: '${bucket}'`);
    const { behaviour } = this.options;
    if (behaviour.missingBuckets.includes(bucket))
      return storageError(404, 'notFound', 'The specified bucket does not exist.');
    if (behaviour.deniedBuckets.includes(bucket)) {
      return storageError(
        403,
        'forbidden',
        `${CALLER} does not have ${permission} access to the Google Cloud Storage bucket. Permission '${permission}' denied on resource (or it may not exist).`,
      );
    }
    return undefined;
  }

  private getObject(request: CloudRequest): CloudResponse {
    const { bucket = '', object = '' } = request.params;
    const refused = this.refusal(bucket, 'storage.objects.get');
    if (refused) return refused;
    const stored = this.objects.get(key(bucket, object));
    if (!stored) return storageError(404, 'notFound', `No such object: ${bucket}/${object}`);
    if (request.query.get('alt') === 'media') {
      return {
        status: 200,
        body: stored.bytes,
        headers: {
          'content-type': stored.meta.contentType,
          'x-goog-generation': stored.meta.generation,
          'x-goog-hash': `crc32c=${stored.meta.crc32c},md5=${stored.meta.md5Hash}`,
        },
      };
    }
    return { status: 200, json: this.resource(stored) };
  }

  private async insert(request: CloudRequest): Promise<CloudResponse> {
    const { bucket = '' } = request.params;
    const refused = this.refusal(bucket, 'storage.objects.create');
    if (refused) return refused;
    const uploadType = request.query.get('uploadType');
    let metadata: Record<string, unknown> = {};
    let bytes: Buffer;
    let contentType = request.headers['content-type'] ?? 'application/octet-stream';
    if (uploadType === 'multipart') {
      const parts = parseMultipartRelated(request.headers, request.body);
      const [first, media] = parts ?? [];
      if (!first || !media || parts?.length !== 2)
        return storageError(400, 'invalid', 'Multipart upload: expected metadata and media parts.');
      try {
        metadata = JSON.parse(first.body.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return storageError(400, 'parseError', 'Parse Error: the metadata part is not JSON.');
      }
      bytes = media.body;
      contentType = media.headers['content-type'] ?? 'application/octet-stream';
    } else if (uploadType === 'media') {
      bytes = request.body;
    } else {
      // Resumable sessions are not served: the deployer uploads with `resumable: false`.
      return storageError(
        400,
        'invalid',
        `uploadType=${uploadType ?? ''} is not served by the local plane (multipart and media are).`,
      );
    }
    const name = String(metadata.name ?? request.query.get('name') ?? '');
    if (!name) return storageError(400, 'required', 'Required parameter: name');
    if (typeof metadata.contentType === 'string') contentType = metadata.contentType;
    const current = this.objects.get(key(bucket, name));
    const precondition = request.query.get('ifGenerationMatch');
    if (precondition !== null && precondition !== (current?.meta.generation ?? '0')) {
      return storageError(
        412,
        'conditionNotMet',
        'At least one of the pre-conditions you specified did not hold.',
      );
    }
    // Generations only grow, even for uploads within the same microsecond.
    this.lastGeneration = Math.max(this.lastGeneration + 1, Date.now() * 1000);
    const generation = String(this.lastGeneration);
    const now = new Date().toISOString();
    const stored: StoredObject = {
      meta: {
        bucket,
        name,
        generation,
        metageneration: '1',
        contentType,
        size: String(bytes.length),
        md5Hash: createHash('md5').update(bytes).digest('base64'),
        crc32c: crc32cBase64(bytes),
        etag: Buffer.from(generation).toString('base64'),
        timeCreated: now,
        updated: now,
        storageClass: 'STANDARD',
      },
      bytes,
    };
    this.objects.set(key(bucket, name), stored);
    await this.save(stored);
    return { status: 200, json: this.resource(stored) };
  }

  private async delete(request: CloudRequest): Promise<CloudResponse> {
    const { bucket = '', object = '' } = request.params;
    const refused = this.refusal(bucket, 'storage.objects.delete');
    if (refused) return refused;
    if (!this.objects.delete(key(bucket, object)))
      return storageError(404, 'notFound', `No such object: ${bucket}/${object}`);
    const dir = this.options.dir;
    if (dir) {
      const base = join(dir, bucket, encodeURIComponent(object));
      await Promise.all([rm(`${base}.json`, { force: true }), rm(`${base}.data`, { force: true })]);
    }
    return { status: 204 };
  }

  private resource(stored: StoredObject): Record<string, unknown> {
    const { bucket, name, generation } = stored.meta;
    const path = `b/${bucket}/o/${encodeURIComponent(name)}`;
    const base = this.options.baseUrl();
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${generation}`,
      selfLink: `${base}/storage/v1/${path}`,
      mediaLink: `${base}/storage/v1/${path}?generation=${generation}&alt=media`,
      ...stored.meta,
    };
  }

  private async save(stored: StoredObject): Promise<void> {
    const dir = this.options.dir;
    if (!dir) return;
    const folder = join(dir, stored.meta.bucket);
    await mkdir(folder, { recursive: true });
    const base = join(folder, encodeURIComponent(stored.meta.name));
    // Bytes first: a metadata file always has its data next to it.
    await writeFile(`${base}.data`, stored.bytes);
    await writeFile(`${base}.json`, `${JSON.stringify(stored.meta, null, 2)}\n`);
  }
}

const key = (bucket: string, object: string) => `${bucket}/${object}`;

/** The JSON API's error shape: `{"error":{"code","message","errors":[{"domain","reason","message"}]}}`. */
function storageError(status: number, reason: string, message: string): CloudResponse {
  return {
    status,
    json: { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } },
  };
}
