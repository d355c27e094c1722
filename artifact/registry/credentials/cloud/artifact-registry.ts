import { type CredentialProvider, describedProvider } from '../credential';

export interface ArtifactRegistryOptions {
  /** A Google OAuth2 access token, e.g. from Application Default Credentials. */
  accessToken: () => Promise<string>;
  /** Which registries this provider answers for. Default: `*-docker.pkg.dev` and `gcr.io`. */
  matches?: (registry: string) => boolean;
}

/** The fixed user name Artifact Registry expects with an OAuth2 access token as password. */
export const ARTIFACT_REGISTRY_USERNAME = 'oauth2accesstoken';
const GOOGLE_HOST = /(?:^|\.)(?:[a-z0-9-]+-docker\.pkg\.dev|gcr\.io)$/;

/** Artifact Registry: Basic `oauth2accesstoken` + a fresh access token from the token source. */
export function artifactRegistryCredentials(options: ArtifactRegistryOptions): CredentialProvider {
  const matches = options.matches ?? ((registry: string) => GOOGLE_HOST.test(registry));
  return describedProvider(async (registry) => {
    if (!matches(registry)) return undefined;
    return {
      username: ARTIFACT_REGISTRY_USERNAME,
      password: await options.accessToken(),
      source: 'Google access token (Artifact Registry)',
    };
  }, 'a Google access token for Artifact Registry');
}
