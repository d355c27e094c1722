import { coversScopes } from './scope';

interface CachedToken {
  scopes: readonly string[];
  token: string;
  expiresAt: number;
}

/** Registries default a token's lifetime to 60 s when `expires_in` is missing. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;
/** Renew a little early so a token does not expire between cache look-up and use. */
const EXPIRY_MARGIN_MS = 5_000;

/**
 * Bearer tokens per registry host and scope set. A token also serves narrower needs (a
 * pull,push token answers a pull). Shared by every store of the process by default.
 */
export class TokenCache {
  private readonly byHost = new Map<string, CachedToken[]>();

  constructor(private readonly now: () => number = Date.now) {}

  get(host: string, scopes: readonly string[]): string | undefined {
    const now = this.now();
    const live = (this.byHost.get(host) ?? []).filter((entry) => entry.expiresAt > now);
    this.byHost.set(host, live);
    return live.find((entry) => coversScopes(entry.scopes, scopes))?.token;
  }

  set(host: string, scopes: readonly string[], token: string, expiresInSeconds?: number): void {
    const lifetime =
      (expiresInSeconds && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_TOKEN_LIFETIME_SECONDS) * 1000;
    const expiresAt = this.now() + Math.max(lifetime - EXPIRY_MARGIN_MS, lifetime / 2);
    const others = (this.byHost.get(host) ?? []).filter(
      (entry) => entry.scopes.join(' ') !== scopes.join(' '),
    );
    this.byHost.set(host, [...others, { scopes: [...scopes], token, expiresAt }]);
  }

  /** Forget a token the registry refused (revoked or issued for the wrong audience). */
  delete(host: string, token: string): void {
    this.byHost.set(
      host,
      (this.byHost.get(host) ?? []).filter((entry) => entry.token !== token),
    );
  }
}

export const sharedTokenCache = new TokenCache();
