import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContentStore, isAdoptingStore } from '../content/store';
import type { CopyProgress } from '../copy';
import { type PackOptions, packFunction } from '../pack/pack-function';
import type { PackedEntry } from '../pack/zip-writer';
import { type PublishedZip, publishZip } from './publish-zip';

export interface PublishedFolder extends PublishedZip {
  files: number;
  /** The zip's file entries, in order (see WrittenZip.entries). */
  entries?: PackedEntry[];
}

/**
 * Packs a function folder deterministically and publishes the zip. The zip is a temporary file;
 * for a store on the local disk it is written beside its place and renamed in (no second copy).
 */
export async function publishFolder(
  store: ContentStore,
  pack: Omit<PackOptions, 'outFile'>,
  tag: string | undefined,
  options: { onProgress?: (progress: CopyProgress) => void } = {},
): Promise<PublishedFolder> {
  if (isAdoptingStore(store)) {
    const outFile = join(await store.scratchFolder(), `.pack-${randomBytes(8).toString('hex')}.zip`);
    try {
      const zip = await packFunction({ ...pack, outFile });
      const published = await publishZip(store, zip, tag, { ...options, adopt: true });
      return { ...published, files: zip.files.length, entries: zip.entries };
    } finally {
      await rm(outFile, { force: true });
    }
  }
  const scratch = await mkdtemp(join(tmpdir(), 'faasport-publish-'));
  try {
    const zip = await packFunction({ ...pack, outFile: join(scratch, 'function.zip') });
    const published = await publishZip(store, zip, tag, options);
    return { ...published, files: zip.files.length, entries: zip.entries };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
