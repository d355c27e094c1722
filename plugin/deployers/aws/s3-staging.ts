import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Stages zips above Lambda's inline limit in S3, keyed by digest so an object is uploaded once
 * and reused by every later deploy of the same bytes.
 */
export class S3Staging {
  private bucketReady: Promise<void> | undefined;
  /** One upload per digest even when several functions share the artefact and deploy at once. */
  private readonly staged = new Map<string, Promise<{ key: string; uploaded: boolean }>>();

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly region: string,
    /** Whether faasport may create the bucket (it chose the name). */
    private readonly create: boolean,
  ) {}

  static keyFor(zipDigest: string): string {
    return `faasport/${zipDigest.replace(':', '/')}.zip`;
  }

  /** Uploads unless an object of that size is there already; returns the key. */
  stage(
    zipDigest: string,
    bytes: () => Promise<Buffer>,
    size: number,
  ): Promise<{ key: string; uploaded: boolean }> {
    let staging = this.staged.get(zipDigest);
    if (!staging) {
      staging = this.upload(zipDigest, bytes, size);
      this.staged.set(zipDigest, staging);
      staging.catch(() => this.staged.delete(zipDigest));
    }
    return staging;
  }

  private async upload(
    zipDigest: string,
    bytes: () => Promise<Buffer>,
    size: number,
  ): Promise<{ key: string; uploaded: boolean }> {
    await this.ensureBucket();
    const key = S3Staging.keyFor(zipDigest);
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      if (head.ContentLength === size) return { key, uploaded: false };
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const body = await bytes();
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: 'application/zip',
      }),
    );
    return { key, uploaded: true };
  }

  private ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      try {
        await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
        return;
      } catch (error) {
        if (!isMissing(error) || !this.create) throw error;
      }
      await this.s3.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          ...(this.region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: this.region as BucketLocationConstraint } }),
        }),
      );
    })();
    this.bucketReady.catch(() => {
      this.bucketReady = undefined;
    });
    return this.bucketReady;
  }
}
