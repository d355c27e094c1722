import type { JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** How long fetched keys are trusted before the next request reads them again. */
const KEYS_TTL_MS = 10 * 60_000;
/** A token with an unknown `kid` fetches again (rotated keys), at most this often. */
const REFETCH_MIN_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;

/**
 * An issuer's signing keys: from a configured URL or file (`custom.faasport.jwt.jwks`), or found
 * the way OpenID providers publish them (`<issuer>/.well-known/openid-configuration` → `jwks_uri`,
 * else `<issuer>/.well-known/jwks.json`). Fetched on first use and kept.
 */
export class JwksSource {
  private keys: JsonWebKey[] | undefined;
  private fetchedAt = 0;
  private pending: Promise<JsonWebKey[]> | undefined;

  constructor(private readonly location: { issuer: string; configured?: string; serviceDir: string }) {}

  /** The keys; read again when `kid` is unknown and the last read is not too recent. */
  async get(kid: unknown): Promise<JsonWebKey[]> {
    const now = Date.now();
    const known = this.keys;
    const stale = !known || now - this.fetchedAt > KEYS_TTL_MS;
    const unknownKid = known !== undefined && kid !== undefined && !known.some((key) => key.kid === kid);
    if (stale || (unknownKid && now - this.fetchedAt > REFETCH_MIN_MS)) {
      this.pending ??= this.load().finally(() => {
        this.pending = undefined;
      });
      try {
        this.keys = await this.pending;
      } catch (error) {
        // A failed refresh keeps the keys read before (an issuer briefly down); a first read fails.
        if (!known) throw error;
      }
      this.fetchedAt = Date.now();
    }
    return this.keys ?? [];
  }

  /** Where the keys come from, for messages. */
  describe(): string {
    return this.location.configured ?? `${trimSlash(this.location.issuer)}/.well-known/openid-configuration`;
  }

  private async load(): Promise<JsonWebKey[]> {
    const { configured, issuer, serviceDir } = this.location;
    if (configured && !/^https?:\/\//.test(configured)) {
      const path = isAbsolute(configured) ? configured : resolve(serviceDir, configured);
      return keysOf(JSON.parse(await readFile(path, 'utf8')), path);
    }
    if (configured) return keysOf(await fetchJson(configured), configured);
    const base = trimSlash(issuer);
    let jwksUri = `${base}/.well-known/jwks.json`;
    try {
      const discovery = await fetchJson(`${base}/.well-known/openid-configuration`);
      if (
        typeof discovery === 'object' &&
        discovery !== null &&
        typeof (discovery as { jwks_uri?: unknown }).jwks_uri === 'string'
      )
        jwksUri = (discovery as { jwks_uri: string }).jwks_uri;
    } catch {
      // No discovery document: the conventional location is tried.
    }
    return keysOf(await fetchJson(jwksUri), jwksUri);
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

function keysOf(document: unknown, where: string): JsonWebKey[] {
  const keys =
    typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new Error(`${where} holds no JWKS (a "keys" list)`);
  return keys.filter((key): key is JsonWebKey => typeof key === 'object' && key !== null);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
