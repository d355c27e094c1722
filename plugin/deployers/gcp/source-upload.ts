import type { protos, v2 } from '@google-cloud/functions';
import { UserError } from '../../../common/errors';
import { type GcpTiming, withGcpRetries } from './gcp-retry';

/** Cloud Functions takes source archives up to 100 MB through generateUploadUrl. */
export const UPLOAD_LIMIT = 100 * 1024 * 1024;

/** A signed URL without its query string: the signature never reaches output. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?<signature redacted>' : ''}`;
  } catch {
    return '<upload URL>';
  }
}

/**
 * generateUploadUrl, then the PUT it asks for: `content-type: application/zip` and
 * `x-goog-content-length-range`, which the URL is signed with, and no Authorization header.
 */
export async function uploadSource(
  client: v2.FunctionServiceClient,
  parent: string,
  zip: Buffer,
  timing: GcpTiming,
): Promise<protos.google.cloud.functions.v2.IStorageSource> {
  if (zip.length > UPLOAD_LIMIT) {
    throw new UserError(
      `the source zip is ${zip.length} bytes; Cloud Functions takes at most 100 MB through an upload URL`,
      {
        hint: 'Exclude what the function does not need (package.patterns).',
      },
    );
  }
  const [answer] = await withGcpRetries(() => client.generateUploadUrl({ parent }), { timing });
  if (!answer.uploadUrl || !answer.storageSource) throw new Error('generateUploadUrl returned no upload URL');
  const uploadUrl = answer.uploadUrl;
  const response = await withGcpRetries(
    async () => {
      const put = await fetch(uploadUrl, {
        method: 'PUT',
        body: zip,
        headers: { 'content-type': 'application/zip', 'x-goog-content-length-range': `0,${UPLOAD_LIMIT}` },
      });
      // 429 and 5xx from Cloud Storage are worth another try, like the API's own.
      if (put.status === 429 || put.status >= 500)
        throw Object.assign(new Error(`HTTP ${put.status}`), { code: 14 });
      return put;
    },
    { timing },
  );
  if (!response.ok) {
    const text = (await response.text()).slice(0, 300);
    throw new Error(
      `uploading the source to ${redactUrl(uploadUrl)} failed: HTTP ${response.status} ${text}`,
    );
  }
  return answer.storageSource;
}
