/** Manifest media types the registry transport asks for and accepts (docs/oci-artifacts.md §2). */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Docker schema 1: never requested, always refused (unsigned-content and rewrite hazards). */
const SCHEMA1 = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
];

/** The Accept header for manifest requests; without it distribution 2.8 hides OCI manifests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Manifests and indexes go to /manifests/, everything else is a blob. */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

export function isSchema1(mediaType: string): boolean {
  return SCHEMA1.has(mediaType);
}

/** `application/json; charset=utf-8` → `application/json`. */
export function stripParameters(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Manifests, indexes and token responses are capped (distribution itself refuses > 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
