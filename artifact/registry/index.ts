/** The OCI registry transport: a registry repository as a content store, plus credentials. */

export { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from '../media-types';
export { parseChallenges } from './challenge';
export { type AcrOptions, acrCredentials } from './credentials/cloud/acr';
export {
  type ArtifactRegistryOptions,
  artifactRegistryCredentials,
} from './credentials/cloud/artifact-registry';
export { type EcrOptions, ecrCredentials } from './credentials/cloud/ecr';
export type { AwsCredentials } from './credentials/cloud/sigv4';
export {
  type Credential,
  type CredentialProvider,
  chainProviders,
  describedProvider,
  staticCredentials,
} from './credentials/credential';
export { credentialFiles, defaultCredentialProvider } from './credentials/default-provider';
export { isDockerHub, isLoopbackHost, registryEndpoint } from './endpoint';
export { isManifestShapeRejected, RegistryError, RegistryUnreachableError } from './errors';
export type { RegistryLogger } from './logger';
export { OversizedContentError } from './read-capped';
export { RegistryStore, type RegistryStoreOptions } from './registry-store';
export type { RetryPolicy } from './retry';
export { TokenCache } from './token-cache';
export type { ChunkedUploadOptions } from './upload';
