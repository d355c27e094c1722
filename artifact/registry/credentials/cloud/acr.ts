import { UserError } from '../../../../common/errors';
import { registryEndpoint } from '../../endpoint';
import { type CredentialProvider, describedProvider } from '../credential';

export interface AcrOptions {
  /** An Azure AD access token for `https://containerregistry.azure.net`, e.g. from DefaultAzureCredential. */
  aadToken: () => Promise<string>;
  tenant?: string;
  /** Which registries this provider answers for. Default: `*.azurecr.io` (and sovereign clouds). */
  matches?: (registry: string) => boolean;
  /** Plain http for the exchange (tests on loopback). Default: as for the registry itself. */
  insecure?: boolean;
  fetch?: typeof fetch;
}

/** The user name docker uses with an ACR refresh token. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
const ACR_HOST = /\.azurecr\.(?:io|cn|us)$/;
/** ACR refresh tokens last about three hours; exchange again well before. */
const REFRESH_TOKEN_LIFETIME_MS = 60 * 60_000;

/**
 * ACR: exchanges an AAD access token at `/oauth2/exchange` for an ACR refresh token, which the
 * auth client then trades for scoped access tokens at the registry's `/oauth2/token` realm.
 */
export function acrCredentials(options: AcrOptions): CredentialProvider {
  const cache = new Map<string, { refreshToken: string; expiresAt: number }>();
  const matches = options.matches ?? ((registry: string) => ACR_HOST.test(registry));
  return describedProvider(async (registry) => {
    if (!matches(registry)) return undefined;
    let cached = cache.get(registry);
    if (!cached || cached.expiresAt <= Date.now()) {
      cached = {
        refreshToken: await exchange(registry, options),
        expiresAt: Date.now() + REFRESH_TOKEN_LIFETIME_MS,
      };
      cache.set(registry, cached);
    }
    return {
      username: ACR_TOKEN_USERNAME,
      identityToken: cached.refreshToken,
      source: 'ACR token exchange (Azure AD)',
    };
  }, 'ACR token exchange with an Azure AD token');
}

async function exchange(registry: string, options: AcrOptions): Promise<string> {
  const { origin } = registryEndpoint(registry, options.insecure);
  const form = new URLSearchParams({
    grant_type: 'access_token',
    service: registry,
    access_token: await options.aadToken(),
  });
  if (options.tenant) form.set('tenant', options.tenant);
  const response = await (options.fetch ?? fetch)(`${origin}/oauth2/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new UserError(`ACR token exchange at ${registry} failed (${response.status})`, {
      hint: 'Check that the Azure identity has a role on the registry (AcrPull / AcrPush).',
    });
  }
  let parsed: { refresh_token?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // handled below
  }
  if (typeof parsed.refresh_token !== 'string' || parsed.refresh_token === '') {
    throw new UserError(`ACR token exchange at ${registry} returned no refresh token`);
  }
  return parsed.refresh_token;
}
