import { RegistryError, readErrorBody } from './errors';
import { parseRetryAfter } from './retry';

/** What the caller was doing when a registry answered with an error. */
export interface ErrorContext {
  registry: string;
  repository?: string;
  /** e.g. `resolve 1.0`, `push blob sha256:…`. */
  operation: string;
  /** Scopes that were requested, for 403 messages. */
  scopes?: readonly string[];
  /** Where credentials come from, for 401 messages. */
  credentialSources?: string;
  /** Whether credentials were sent (401 then means "rejected", not "missing"). */
  sentCredentials?: boolean;
}

const SERVER_MESSAGE_MAX = 300;

/** Turns an error response into an actionable RegistryError (consumes the body). */
export async function registryErrorFrom(response: Response, context: ErrorContext): Promise<RegistryError> {
  const { entries, text } = await readErrorBody(response);
  const first = entries[0];
  const code = first?.code;
  const serverSays = (first?.message ?? text).trim().slice(0, SERVER_MESSAGE_MAX);
  const status = response.status;
  const where = context.repository ? `${context.registry}/${context.repository}` : context.registry;
  const tail = `(${status}${code ? ` ${code}` : ''}${serverSays ? `: ${serverSays}` : ''})`;
  const init = {
    status,
    code,
    registry: context.registry,
    repository: context.repository,
    operation: context.operation,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  };

  switch (status) {
    case 401:
      return new RegistryError(
        context.sentCredentials
          ? `${context.registry} rejected the credentials while trying to ${context.operation} ${tail}`
          : `${context.registry} requires authentication to ${context.operation} and no credentials were found ${tail}`,
        {
          ...init,
          hint: `Credentials for ${context.registry} are read from ${context.credentialSources ?? 'the configured credential provider'}; run "docker login ${context.registry}" or fix the entry there.`,
        },
      );
    case 403:
      return new RegistryError(`${where}: access denied while trying to ${context.operation} ${tail}`, {
        ...init,
        hint: `The credentials were accepted but lack permission${context.scopes?.length ? ` for ${context.scopes.join(' ')}` : ''}; ask for that access or use a repository you can write to.`,
      });
    case 404:
      return notFound(code, where, context, tail, init);
    case 413:
      return new RegistryError(
        `${where} refused the request as too large while trying to ${context.operation} ${tail}`,
        {
          ...init,
          hint: 'Manifests are limited to 4 MiB; large blobs need a registry that accepts them (or chunked upload).',
        },
      );
    case 415:
      return new RegistryError(`${where} does not support this media type (${context.operation}) ${tail}`, {
        ...init,
        hint: 'The registry cannot store this kind of manifest; publish to another registry.',
      });
    case 429:
      return new RegistryError(
        `${context.registry} is rate-limiting requests (${context.operation}) ${tail}`,
        {
          ...init,
          hint: 'Retries were exhausted; wait and try again, or authenticate to get a higher limit.',
        },
      );
    default:
      if (status >= 500) {
        return new RegistryError(`${context.registry} failed while trying to ${context.operation} ${tail}`, {
          ...init,
          hint: 'The registry reported an internal error and retries were exhausted; try again later.',
        });
      }
      return new RegistryError(`${where} refused to ${context.operation} ${tail}`, {
        ...init,
        hint: hintForCode(code),
      });
  }
}

function notFound(
  code: string | undefined,
  where: string,
  context: ErrorContext,
  tail: string,
  init: ConstructorParameters<typeof RegistryError>[1],
): RegistryError {
  if (code === 'NAME_UNKNOWN') {
    return new RegistryError(`repository ${where} does not exist ${tail}`, {
      ...init,
      hint: 'Check the repository name (it is created by the first push).',
    });
  }
  if (code === 'MANIFEST_UNKNOWN') {
    return new RegistryError(
      `${where}: no such tag or manifest while trying to ${context.operation} ${tail}`,
      {
        ...init,
        hint: 'The repository exists but not this tag or digest; check the tag, or publish it first.',
      },
    );
  }
  if (code === 'BLOB_UNKNOWN') {
    return new RegistryError(`${where}: blob not found while trying to ${context.operation} ${tail}`, {
      ...init,
      hint: 'The manifest references content the registry no longer has; publish again.',
    });
  }
  return new RegistryError(`${where}: not found while trying to ${context.operation} ${tail}`, {
    ...init,
    hint: 'Check the registry, repository and tag.',
  });
}

function hintForCode(code: string | undefined): string | undefined {
  switch (code) {
    case 'DIGEST_INVALID':
      return 'The registry computed a different digest than the one sent; the content changed during upload. Retry.';
    case 'MANIFEST_BLOB_UNKNOWN':
      return 'Push every blob the manifest references before the manifest itself.';
    case 'MANIFEST_INVALID':
      return 'The registry rejected the manifest; it may not support this manifest shape.';
    case 'NAME_INVALID':
      return 'Repository names are lower-case letters, digits and separators (. _ - /).';
    case 'SIZE_INVALID':
      return 'The uploaded size did not match the declared size; the source changed during upload.';
    case 'UNSUPPORTED':
      return 'The registry does not support this operation or manifest shape.';
    default:
      return undefined;
  }
}
