/** Credentials for one registry, as docker's config and the cloud token exchanges yield them. */
export interface Credential {
  username?: string;
  password?: string;
  /** A refresh token exchanged at the token realm (`docker login` with OAuth, ACR). */
  identityToken?: string;
  /** A ready bearer token for the registry itself. */
  registryToken?: string;
  /** Where it was found, for messages (never the secret itself), e.g. `~/.docker/config.json (auths)`. */
  source?: string;
}

/**
 * Looks credentials up for a registry host as the user wrote it (`docker.io`, `127.0.0.1:5000`).
 * `sources` says where it looks, for error hints.
 */
export type CredentialProvider = ((registry: string) => Promise<Credential | undefined>) & {
  readonly sources?: string;
};

/** Labels a provider with where it reads from. */
export function describedProvider(
  lookup: (registry: string) => Promise<Credential | undefined>,
  sources: string,
): CredentialProvider {
  return Object.assign(lookup, { sources });
}

/** The first provider that has something for the registry wins. */
export function chainProviders(...providers: CredentialProvider[]): CredentialProvider {
  return describedProvider(
    async (registry) => {
      for (const provider of providers) {
        const found = await provider(registry);
        if (found) return found;
      }
      return undefined;
    },
    providers.map((p) => p.sources ?? 'a custom provider').join('; '),
  );
}

/** Fixed credentials per registry host (tests, CLI flags). */
export function staticCredentials(byRegistry: Record<string, Credential>): CredentialProvider {
  return describedProvider(
    async (registry) => byRegistry[registry.toLowerCase()] ?? byRegistry[registry],
    'the credentials passed in',
  );
}

export function hasCredential(credential: Credential | undefined): credential is Credential {
  return Boolean(
    credential &&
      ((credential.username && credential.password) || credential.identityToken || credential.registryToken),
  );
}
