/**
 * Authorizer results kept per identity (the token, or the identity source values) for the
 * authorizer's `resultTtlInSeconds`; a TTL of 0 keeps nothing. Bounded: the oldest entry goes
 * first when it is full.
 */
export class AuthorizerCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly maxEntries = 1000) {}

  get(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, ttlSeconds: number, now = Date.now()): void {
    if (ttlSeconds <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: now + ttlSeconds * 1000 });
  }
}

/** API Gateway's cache time when `resultTtlInSeconds` is not written. */
const DEFAULT_TTL_SECONDS = 300;

/**
 * An authorizer's cache time: as written, else API Gateway's default — but nothing is cached
 * without an identity to key it by.
 */
export function authorizerTtlSeconds(written: unknown, identitySources: readonly unknown[]): number {
  if (written !== undefined) return Number(written);
  return identitySources.length ? DEFAULT_TTL_SECONDS : 0;
}
