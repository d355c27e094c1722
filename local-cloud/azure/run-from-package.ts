import { createHash } from 'node:crypto';
import { inspectZip } from '../../artifact/unzip/inspect-zip';
import type { SitePackage } from './deployed-site';

const PACKAGE_SETTING = 'WEBSITE_RUN_FROM_PACKAGE';
const MAX_PACKAGE_BYTES = 1024 * 1024 * 1024;

/** A URL with its query (a SAS token) cut off: what may be shown or logged. */
export function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?<redacted>`;
}

/**
 * What the platform does when an app starts with `WEBSITE_RUN_FROM_PACKAGE=<URL>`: it downloads
 * the zip (the SAS in the URL is its only credential). The local plane fetches only from the
 * blob endpoint it was given (the rig's Azurite), never from an arbitrary address.
 */
export async function fetchRunFromPackage(
  settings: Record<string, string>,
  allowedOrigin: string | undefined,
): Promise<{ package: SitePackage | undefined; zip: Buffer | undefined }> {
  const value = settings[PACKAGE_SETTING];
  if (value === undefined || value === '' || value === '1' || value === '0') {
    return { package: undefined, zip: undefined };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return {
      package: { url: '(not a URL)', error: `${PACKAGE_SETTING} is neither 1 nor a URL` },
      zip: undefined,
    };
  }
  const shown = withoutQuery(value);
  if (!allowedOrigin || url.origin !== allowedOrigin) {
    return {
      package: {
        url: shown,
        error: `not fetched: the local plane fetches packages only from ${allowedOrigin ?? 'its blob endpoint (none configured)'}`,
      },
      zip: undefined,
    };
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return { package: { url: shown, error: `GET answered ${response.status}` }, zip: undefined };
    }
    const zip = Buffer.from(await response.arrayBuffer());
    if (zip.length > MAX_PACKAGE_BYTES) {
      return { package: { url: shown, error: 'the package is larger than 1 GB' }, zip: undefined };
    }
    // the host mounts the package as a read-only folder: what faasport would not unpack never starts
    const problem = await inspectZip(zip);
    if (problem) {
      return {
        package: { url: shown, error: `not mounted: the zip cannot be unpacked (${problem.reason})` },
        zip: undefined,
      };
    }
    const sha256 = createHash('sha256').update(zip).digest('hex');
    return { package: { url: shown, sha256, size: zip.length, file: undefined }, zip };
  } catch (error) {
    return { package: { url: shown, error: `GET failed: ${(error as Error).message}` }, zip: undefined };
  }
}
