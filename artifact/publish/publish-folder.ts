import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContentStore } from '../content/store';
import type { CopyProgress } from '../copy';
import { type PackOptions, packFunction } from '../pack/pack-function';
import { type PublishedZip, publishZip } from './publish-zip';

export interface PublishedFolder extends PublishedZip {
  files: number;
}

/** Packs a function folder deterministically and publishes the zip; the zip is a temporary file. */
export async function publishFolder(
  store: ContentStore,
  pack: Omit<PackOptions, 'outFile'>,
  tag: string | undefined,
  options: { onProgress?: (progress: CopyProgress) => void } = {},
): Promise<PublishedFolder> {
  const scratch = await mkdtemp(join(tmpdir(), 'faasport-publish-'));
  try {
    const zip = await packFunction({ ...pack, outFile: join(scratch, 'function.zip') });
    const published = await publishZip(store, zip, tag, options);
    return { ...published, files: zip.files.length };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
