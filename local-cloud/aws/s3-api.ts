import { createHash } from 'node:crypto';
import { CloudError } from '../cloud-error';
import type { CloudApi, CloudRequest, CloudResponse, CloudRoute } from '../control-plane-server';
import { authenticateS3 } from './aws-auth';
import { s3ErrorResponse } from './aws-errors';

interface StoredObject {
  bytes: Buffer;
  etag: string;
  lastModified: Date;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const OBJECT_LIMIT = 512 * 1024 * 1024;

/**
 * The slice of S3 that staging a Lambda zip needs (path-style): HeadBucket, CreateBucket,
 * PutObject, HeadObject, GetObject. Objects live in memory; Lambda reads staged zips from here.
 */
export class S3Buckets {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  get(bucket: string, key: string): Buffer | undefined {
    return this.buckets.get(bucket)?.get(key)?.bytes;
  }

  api(): CloudApi {
    const routes: CloudRoute[] = [
      {
        method: 'HEAD',
        path: '/{Bucket}',
        operation: 'HeadBucket',
        write: false,
        handle: (r) => this.headBucket(r),
      },
      {
        method: 'PUT',
        path: '/{Bucket}',
        operation: 'CreateBucket',
        write: true,
        handle: (r) => this.createBucket(r),
      },
      {
        method: 'PUT',
        path: '/{Bucket}/{Key+}',
        operation: 'PutObject',
        write: true,
        handle: (r) => this.putObject(r),
      },
      {
        method: 'HEAD',
        path: '/{Bucket}/{Key+}',
        operation: 'HeadObject',
        write: false,
        handle: (r) => this.getObject(r, true),
      },
      {
        method: 'GET',
        path: '/{Bucket}/{Key+}',
        operation: 'GetObject',
        write: false,
        handle: (r) => this.getObject(r, false),
      },
    ];
    return {
      provider: 'aws',
      routes,
      bodyLimit: OBJECT_LIMIT,
      tooLarge: () =>
        new CloudError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'),
      errorResponse: s3ErrorResponse,
      authenticate: authenticateS3,
    };
  }

  private bucket(name: string): Map<string, StoredObject> {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new CloudError(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return bucket;
  }

  private headBucket({ params }: CloudRequest): CloudResponse {
    this.bucket(params.Bucket ?? '');
    return { status: 200 };
  }

  private createBucket({ params }: CloudRequest): CloudResponse {
    const name = params.Bucket ?? '';
    if (!BUCKET_NAME.test(name))
      throw new CloudError(400, 'InvalidBucketName', 'The specified bucket is not valid.');
    if (this.buckets.has(name)) {
      throw new CloudError(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
    }
    this.buckets.set(name, new Map());
    return { status: 200, headers: { location: `/${name}` } };
  }

  private putObject({ params, body }: CloudRequest): CloudResponse {
    const bucket = this.bucket(params.Bucket ?? '');
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    bucket.set(params.Key ?? '', { bytes: body, etag, lastModified: new Date() });
    return { status: 200, headers: { etag } };
  }

  private getObject({ params }: CloudRequest, head: boolean): CloudResponse {
    const object = this.bucket(params.Bucket ?? '').get(params.Key ?? '');
    if (!object)
      throw new CloudError(404, head ? 'NotFound' : 'NoSuchKey', 'The specified key does not exist.');
    return {
      status: 200,
      headers: {
        etag: object.etag,
        'last-modified': object.lastModified.toUTCString(),
        'content-type': 'application/octet-stream',
        'content-length': String(object.bytes.length),
      },
      ...(head ? {} : { body: object.bytes }),
    };
  }
}
