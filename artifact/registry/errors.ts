import { UserError } from '../../common/errors';
import { redactUrl } from './redact';

/** One entry of the distribution-spec error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
}

export interface RegistryErrorInit {
  status: number;
  /** First OCI error code from the body, e.g. `MANIFEST_INVALID`; undefined for non-JSON bodies. */
  code?: string;
  registry: string;
  repository?: string;
  /** What we were doing, e.g. `push manifest sha256:…`. */
  operation: string;
  hint?: string;
  cause?: unknown;
  /** The server's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

/** A registry answered with an error status. Message and hint are written for the user. */
export class RegistryError extends UserError {
  readonly status: number;
  readonly code: string | undefined;
  readonly registry: string;
  readonly repository: string | undefined;
  readonly operation: string;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, init: RegistryErrorInit) {
    super(message, { hint: init.hint, cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.registry = init.registry;
    this.repository = init.repository;
    this.operation = init.operation;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * True when a registry refused the manifest's shape rather than its content (ECR's 405 on
 * `artifactType`, 400 MANIFEST_INVALID / UNSUPPORTED): the publisher retries once with v1.0.
 */
export function isManifestShapeRejected(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.status === 405) return true;
  if (error.code === 'UNSUPPORTED') return true;
  return error.status === 400 && error.code === 'MANIFEST_INVALID';
}

/** The transport could not talk to the registry at all (refused, reset, DNS, TLS). */
export class RegistryUnreachableError extends UserError {
  constructor(url: string, cause: unknown) {
    const reason = networkErrorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot reach ${redactUrl(url)}: ${reason}`, {
      hint: 'Check that the registry is running and the host/port are right; use --insecure only for plain-http registries you trust.',
      cause,
    });
  }
}

/** `ECONNRESET`, `UND_ERR_SOCKET`… from a fetch failure or its cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

const MAX_ERROR_BODY = 64 * 1024;

/** Reads at most 64 KiB of an error response and extracts the OCI error entries, if any. */
export async function readErrorBody(
  response: Response,
): Promise<{ entries: RegistryErrorEntry[]; text: string }> {
  let text = '';
  try {
    const reader = response.body?.getReader();
    if (reader) {
      const decoder = new TextDecoder();
      while (text.length < MAX_ERROR_BODY) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      await reader.cancel().catch(() => undefined);
    }
  } catch {
    // a body that breaks off still leaves us the status
  }
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) {
      const entries: RegistryErrorEntry[] = [];
      for (const item of parsed.errors as unknown[]) {
        const entry = item as { code?: unknown; message?: unknown } | null;
        if (typeof entry?.code !== 'string') continue;
        entries.push({
          code: entry.code,
          message: typeof entry.message === 'string' ? entry.message : undefined,
        });
      }
      return { entries, text };
    }
  } catch {
    // not JSON: some 4xx bodies are plain text
  }
  return { entries: [], text };
}
