import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { readAll } from '../content/read-all';
import type { ContentStore } from '../content/store';
import { MAX_MANIFEST_BYTES } from '../media-types';
import { parseManifest } from './parse';
import type { ParsedManifest } from './types';

export interface ManifestRead {
  /** The exact bytes, whose digest is the descriptor's. */
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** Fetches (verified by the store) and parses a manifest or index, capped at 4 MiB. */
export async function readManifest(store: ContentStore, descriptor: Descriptor): Promise<ManifestRead> {
  const where = `${store.location}@${descriptor.digest}`;
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    throw new UserError(
      `manifest ${where} declares ${descriptor.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit`,
      { hint: 'Refused before download; no registry accepts manifests this large.' },
    );
  }
  const bytes = await readAll(await store.fetch(descriptor), MAX_MANIFEST_BYTES, `manifest ${where}`);
  return { bytes, parsed: parseManifest(bytes, descriptor.mediaType, where) };
}
