/**
 * Media types faasport writes and recognises (image-spec v1.1, Docker schema 2, ORAS): the one
 * table, for the manifest code and the registry transport alike (docs/architecture.md, the artefact contract).
 */

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker schema 1: never requested, always refused (unsigned-content and rewrite hazards). */
export const DOCKER_SCHEMA1 = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
] as const;

export const OCI_IMAGE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_IMAGE_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const DOCKER_LAYER_TAR_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const ZIP = 'application/zip';

/** faasport's artefact type for a function's deployment zip (RFC 6838 vendor tree). */
export const FUNCTION_ZIP_ARTIFACT_TYPE = 'application/vnd.faasport.function.v1+zip';

/** The `{}` blob every artefact manifest uses as its config (image-spec "empty descriptor"). */
export const EMPTY_JSON = '{}';
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const ORAS_UNPACK_ANNOTATION = 'io.deis.oras.content.unpack';
export const DOCKER_REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type';

/** Manifests, indexes and token responses are capped; distribution itself refuses bodies over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Every manifest and index type faasport reads, in the order a registry is asked for them. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
];

/** The Accept header for manifest requests; without it distribution 2.8 hides OCI manifests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

const MANIFEST_TYPES = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
const IMAGE_CONFIG_TYPES = new Set([OCI_IMAGE_CONFIG, DOCKER_IMAGE_CONFIG]);
const IMAGE_LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
]);

export function isImageManifestType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType);
}
export function isIndexType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}
/** Manifests and indexes live on the manifest side of a store; everything else is a blob. */
export function isManifestType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType) || INDEX_TYPES.has(mediaType);
}
export function isSchema1Type(mediaType: string): boolean {
  return (DOCKER_SCHEMA1 as readonly string[]).includes(mediaType);
}
export function isImageConfigType(mediaType: string): boolean {
  return IMAGE_CONFIG_TYPES.has(mediaType);
}
export function isImageLayerType(mediaType: string): boolean {
  return IMAGE_LAYER_TYPES.has(mediaType);
}

/** `application/json; charset=utf-8` → `application/json`. */
export function withoutParameters(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}
