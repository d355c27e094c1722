import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { isDigest } from '../content/digest';
import {
  isImageManifestType,
  isIndexType,
  isSchema1Type,
  MAX_MANIFEST_BYTES,
  OCI_INDEX,
  OCI_MANIFEST,
  withoutParameters,
} from '../media-types';
import type { ImageIndex, ImageManifest, ParsedManifest } from './types';

function invalid(where: string, why: string): UserError {
  return new UserError(`invalid manifest at ${where}: ${why}`, {
    hint: 'The content is not an OCI image manifest or index that faasport can use; check what was pushed there.',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkDescriptor(value: unknown, where: string, field: string): Descriptor {
  if (!isRecord(value)) throw invalid(where, `${field} is not a descriptor object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '')
    throw invalid(where, `${field}.mediaType is missing`);
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw invalid(where, `${field}.digest ${JSON.stringify(digest)} is not a valid digest`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw invalid(where, `${field}.size ${JSON.stringify(size)} is not a non-negative integer`);
  }
  if (value.annotations !== undefined && !isRecord(value.annotations)) {
    throw invalid(where, `${field}.annotations is not an object`);
  }
  return value as unknown as Descriptor;
}

/**
 * Parses manifest or index bytes. `contentType` is what the store said (registry Content-Type
 * or descriptor mediaType); the body's own `mediaType` must agree with it. Bodies over 4 MiB,
 * schema 1 and anything not schemaVersion 2 are refused.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  where: string,
): ParsedManifest {
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    throw invalid(where, `it is ${bytes.byteLength} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`);
  }
  const declared = contentType ? withoutParameters(contentType) : undefined;
  if (declared && isSchema1Type(declared)) {
    throw invalid(where, 'Docker schema 1 manifests are not supported (re-push it with a current client)');
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid(where, 'it is not JSON');
  }
  if (!isRecord(body)) throw invalid(where, 'it is not a JSON object');
  if (body.schemaVersion === 1) throw invalid(where, 'Docker schema 1 manifests are not supported');
  if (body.schemaVersion !== 2)
    throw invalid(where, `schemaVersion is ${JSON.stringify(body.schemaVersion)}, not 2`);

  const own = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  // "Generic" content types say nothing about the shape; the body decides then.
  const meaningful = declared && declared !== 'application/json' && declared !== 'application/octet-stream';
  if (own && meaningful && own !== declared) {
    throw invalid(where, `the body says mediaType ${own} but it was served as ${declared}`);
  }
  const mediaType =
    own ?? (meaningful ? declared : undefined) ?? (Array.isArray(body.manifests) ? OCI_INDEX : OCI_MANIFEST);
  if (isSchema1Type(mediaType)) throw invalid(where, 'Docker schema 1 manifests are not supported');

  if (isIndexType(mediaType)) {
    if (!Array.isArray(body.manifests)) throw invalid(where, 'the index has no manifests array');
    body.manifests.forEach((entry, i) => {
      checkDescriptor(entry, where, `manifests[${i}]`);
    });
    return { kind: 'index', mediaType, index: { ...(body as unknown as ImageIndex), mediaType } };
  }
  if (isImageManifestType(mediaType)) {
    checkDescriptor(body.config, where, 'config');
    if (!Array.isArray(body.layers)) throw invalid(where, 'the manifest has no layers array');
    body.layers.forEach((entry, i) => {
      checkDescriptor(entry, where, `layers[${i}]`);
    });
    return { kind: 'manifest', mediaType, manifest: { ...(body as unknown as ImageManifest), mediaType } };
  }
  throw new UserError(`unsupported media type ${mediaType} at ${where}`, {
    hint: 'faasport reads OCI and Docker schema 2 image manifests and indexes.',
  });
}
