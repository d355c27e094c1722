import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CloudRequest, CloudResponse } from '../control-plane-server';
import type { StorageSource } from './function-resource';

/** How long an upload URL stays valid (GCF hands out URLs valid for minutes; UNCONFIRMED exact). */
const UPLOAD_URL_TTL_MS = 30 * 60 * 1000;
const ZIP_CONTENT_TYPE = 'application/zip';

interface Upload {
  signature: string;
  expires: number;
  zip?: Buffer;
  generation?: string;
}

/**
 * The source objects generateUploadUrl hands out, standing in for the signed Cloud Storage URLs:
 * a PUT without Authorization, refused (403, Cloud Storage's XML error) when the signature is
 * wrong or expired, or when the headers the URL was signed with are missing —
 * `content-type: application/zip` and `x-goog-content-length-range`.
 */
export class SourceUploads {
  private readonly uploads = new Map<string, Upload>();

  allow(baseUrl: string, bucket: string, object: string): string {
    const signature = randomBytes(32).toString('hex');
    const expires = Date.now() + UPLOAD_URL_TTL_MS;
    this.uploads.set(`${bucket}/${object}`, { signature, expires });
    const query = new URLSearchParams({
      GoogleAccessId: 'faasport-local@cloudfunctions.iam.gserviceaccount.com',
      Expires: String(Math.floor(expires / 1000)),
      Signature: signature,
    });
    return `${baseUrl}/upload/${bucket}/${encodeURIComponent(object)}?${query}`;
  }

  /** An uploaded object's bytes; the generation must match when the source names one (not "0"). */
  get(source: StorageSource): Buffer | undefined {
    const upload = this.uploads.get(`${source.bucket}/${source.object}`);
    if (!upload?.zip) return undefined;
    const generation = source.generation;
    if (generation && generation !== '0' && generation !== upload.generation) return undefined;
    return upload.zip;
  }

  /** A recorded function's source, after a restart. */
  restore(source: StorageSource, zip: Buffer): void {
    this.uploads.set(`${source.bucket}/${source.object}`, {
      signature: randomBytes(32).toString('hex'),
      expires: 0,
      zip,
      ...(source.generation ? { generation: source.generation } : {}),
    });
  }

  put(request: CloudRequest): CloudResponse {
    const upload = this.uploads.get(`${request.params.bucket}/${request.params.object}`);
    const given = Buffer.from(request.query.get('Signature') ?? '');
    if (
      !upload ||
      given.length !== upload.signature.length ||
      !timingSafeEqual(given, Buffer.from(upload.signature))
    ) {
      return storageError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    if (Date.now() > upload.expires)
      return storageError(400, 'ExpiredToken', 'The provided token has expired.');
    if (request.headers['content-type'] !== ZIP_CONTENT_TYPE) {
      return storageError(
        403,
        'SignatureDoesNotMatch',
        `The URL was signed for content-type ${ZIP_CONTENT_TYPE}.`,
      );
    }
    const range = /^(\d+),(\d+)$/.exec(String(request.headers['x-goog-content-length-range'] ?? ''));
    if (!range) {
      return storageError(
        403,
        'SignatureDoesNotMatch',
        'The URL was signed with the x-goog-content-length-range header.',
      );
    }
    const size = request.body.length;
    if (size < Number(range[1]) || size > Number(range[2])) {
      return storageError(
        400,
        'EntityTooLarge',
        `Your proposed upload (${size} bytes) is outside x-goog-content-length-range.`,
      );
    }
    upload.zip = request.body;
    upload.generation = String(Date.now() * 1000);
    return {
      status: 200,
      headers: { etag: `"${upload.generation}"`, 'x-goog-generation': upload.generation },
    };
  }
}

function storageError(status: number, code: string, message: string): CloudResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml; charset=UTF-8' },
    body: Buffer.from(
      `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    ),
  };
}
