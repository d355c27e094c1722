import { UserError } from '../../common/errors';
import { redactUrl } from './redact';

/**
 * Resolves an upload `Location` (relative or absolute) against the request that returned it,
 * refusing another host and https→http downgrades: the blob and our credentials follow it.
 */
export function resolveUploadLocation(location: string | null, requestUrl: URL, registry: string): URL {
  if (!location) {
    throw new UserError(`${registry} started an upload without a Location header`, {
      hint: 'The registry does not follow the distribution spec for uploads.',
    });
  }
  let next: URL;
  try {
    next = new URL(location, requestUrl);
  } catch {
    throw new UserError(`${registry} returned an invalid upload Location`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new UserError(`refusing upload Location ${redactUrl(next)} from ${registry}: not http(s)`);
  }
  if (requestUrl.protocol === 'https:' && next.protocol === 'http:') {
    throw new UserError(
      `refusing upload Location ${redactUrl(next)} from ${registry}: it downgrades https to http`,
      {
        hint: 'The registry tried to move the upload to plain http; this may be an interception attempt.',
      },
    );
  }
  if (next.host !== requestUrl.host) {
    throw new UserError(
      `refusing upload Location ${redactUrl(next)} from ${registry}: it points to another host`,
      {
        hint: 'Uploads stay on the registry host; an off-host Location could leak the blob and credentials.',
      },
    );
  }
  return next;
}

/** Appends `digest=` to a Location's existing query (keeping opaque state such as `_state` byte-for-byte). */
export function withDigestParameter(location: URL, digest: string): URL {
  const next = new URL(location);
  const parameter = `digest=${encodeURIComponent(digest)}`;
  next.search = next.search.length > 1 ? `${next.search}&${parameter}` : `?${parameter}`;
  return next;
}
