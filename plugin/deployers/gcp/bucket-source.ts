import { createHash } from 'node:crypto';
import type { protos } from '@google-cloud/functions';
import type { File, FileMetadata, Storage } from '@google-cloud/storage';
import { UserError } from '../../../common/errors';

type StorageSource = protos.google.cloud.functions.v2.IStorageSource;
/** What the deployer says while staging (one line each). */
type Progress = (message: string) => void;

export interface BucketSourceOptions {
  storage: () => Storage;
  /** `provider.targets.gcp.bucket`. */
  bucket: string;
  configFile: string;
  /** For the hint: where to create the bucket. */
  project: () => string;
}

/** HTTP status of a storage client error (its ApiError carries it in `code`). */
function status(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The service's own words, one line, short: never a token (the client sends none in errors). */
function reason(error: unknown): string {
  const inner = (error as { errors?: Array<{ message?: string }> } | null)?.errors?.[0]?.message;
  return (inner ?? (error as Error).message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300);
}

/**
 * Stages source zips in the bucket `provider.targets.gcp.bucket` names, as objects named by the
 * zip's digest (`faasport/sha256-<hex>.zip`): such an object never changes, so one that is there
 * with the same size and MD5 is reused — by later deploys, by other functions and services
 * deploying the same bytes — and the function pins the generation it was given.
 */
export class BucketSource {
  /** One staging per digest, even when several functions deploy the same zip at once. */
  private readonly staged = new Map<string, Promise<StorageSource>>();

  constructor(private readonly options: BucketSourceOptions) {}

  static objectFor(zipDigest: string): string {
    return `faasport/${zipDigest.replace(':', '-')}.zip`;
  }

  get bucket(): string {
    return this.options.bucket;
  }

  /** The object holding these bytes, uploaded unless it is there already. */
  stage(zipDigest: string, bytes: () => Promise<Buffer>, progress: Progress): Promise<StorageSource> {
    let staging = this.staged.get(zipDigest);
    if (!staging) {
      staging = this.upload(zipDigest, bytes, progress);
      this.staged.set(zipDigest, staging);
      staging.catch(() => this.staged.delete(zipDigest));
    } else {
      progress(`source ${this.where(zipDigest)} is staged by another function of this deploy`);
    }
    return staging;
  }

  private where(zipDigest: string): string {
    return `gs://${this.bucket}/${BucketSource.objectFor(zipDigest)}`;
  }

  private async upload(zipDigest: string, bytes: () => Promise<Buffer>, progress: Progress) {
    const zip = await bytes();
    const md5 = createHash('md5').update(zip).digest('base64');
    const file = this.options.storage().bucket(this.bucket).file(BucketSource.objectFor(zipDigest));
    const found = await this.metadata(file);
    if (found && same(found, zip.length, md5)) {
      progress(`source ${this.where(zipDigest)} is there already (same size and MD5)`);
      return this.source(file, found);
    }
    progress(`uploading ${zip.length} bytes to ${this.where(zipDigest)}`);
    try {
      await file.save(zip, {
        resumable: false,
        gzip: false,
        contentType: 'application/zip',
        validation: 'md5',
        // Only over what was read: a concurrent deploy's upload of the same name is not overwritten.
        preconditionOpts: { ifGenerationMatch: found?.generation ?? 0 },
      });
    } catch (error) {
      if (status(error) !== 412) throw this.refusal(error, 'write');
      // Another deploy wrote the object meanwhile: the same name means the same bytes, if intact.
      const now = await this.metadata(file);
      if (!now || !same(now, zip.length, md5)) throw this.refusal(error, 'write');
      return this.source(file, now);
    }
    return this.source(file, file.metadata);
  }

  /** The object's metadata, or undefined when there is none (404). */
  private async metadata(file: File): Promise<FileMetadata | undefined> {
    try {
      const [metadata] = await file.getMetadata();
      return metadata;
    } catch (error) {
      // A missing bucket answers 404 too: the upload then says which it is.
      if (status(error) === 404) return undefined;
      throw this.refusal(error, 'read');
    }
  }

  private source(file: File, metadata: FileMetadata): StorageSource {
    if (metadata.generation === undefined)
      throw new Error(`Cloud Storage returned no generation for ${file.name}`);
    return { bucket: this.bucket, object: file.name, generation: String(metadata.generation) };
  }

  /** 404 and 403 are the configuration's fault: say so, and what to do. Anything else as it is. */
  private refusal(error: unknown, doing: 'read' | 'write'): Error {
    const { bucket, configFile } = this.options;
    const setting = `${configFile}: provider.targets.gcp.bucket`;
    const fallback = 'or remove provider.targets.gcp.bucket to upload sources through generateUploadUrl';
    const code = status(error);
    if (code === 404) {
      return new UserError(
        `${setting} is ${bucket}, and that bucket does not exist (Cloud Storage: ${reason(error)}): create it, ${fallback}`,
        {
          hint: `gcloud storage buckets create gs://${bucket} --project ${this.options.project()}`,
          cause: error,
        },
      );
    }
    if (code === 403 || code === 401) {
      return new UserError(
        `${setting} is ${bucket}, and the deploying identity may not ${doing} objects there (Cloud Storage: ${reason(error)}): grant it roles/storage.objectAdmin on the bucket, ${fallback}`,
        {
          hint: `gcloud storage buckets add-iam-policy-binding gs://${bucket} --member=<the identity> --role=roles/storage.objectAdmin (Application Default Credentials choose the identity)`,
          cause: error,
        },
      );
    }
    return new Error(`staging the source in gs://${bucket} failed: ${reason(error)}`, { cause: error });
  }
}

function same(metadata: FileMetadata, size: number, md5: string): boolean {
  return Number(metadata.size) === size && metadata.md5Hash === md5;
}
