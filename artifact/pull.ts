import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../common/errors';
import type { ContentStore } from './content/store';
import { type CopyProgress, copyArtifact } from './copy';
import type { PlatformWanted } from './manifest/platform';
import { formatReference, type Reference, referenceTarget } from './reference';
import { resolveArtifact } from './resolve-artifact';
import { extractZip } from './unzip/safe-unzip';

export interface PullOptions {
  platform: PlatformWanted;
  /** A digest-addressed cache (e.g. a LayoutStore) to copy the artefact into first. */
  cache?: ContentStore;
  onProgress?: (progress: CopyProgress) => void;
}

export interface PullResult {
  reference: string;
  digest: string;
  shape: 'zip';
  layer: { digest: string; size: number };
  out: string;
  files: number;
  bytes: number;
}

async function checkEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) {
      throw new UserError(`output folder ${dir} is not empty`, {
        hint: 'Pull into a new or empty folder; pull never overwrites files.',
        exitCode: 2,
      });
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new UserError(`output ${dir} exists and is not a folder`, { exitCode: 2 });
    }
    throw error;
  }
}

/**
 * Pulls a zip artefact and extracts it into `out`: the layer is downloaded to a temporary file
 * through digest verification, then unzipped safely into a sibling folder that is renamed into
 * place, so `out` only ever appears complete.
 */
export async function pullArtifact(
  store: ContentStore,
  reference: Reference,
  outDir: string,
  options: PullOptions,
): Promise<PullResult> {
  const out = resolve(outDir);
  const existsEmpty = await checkEmptyOrMissing(out);
  const resolved = await resolveArtifact(store, referenceTarget(reference), options.platform);
  if (resolved.classification.shape !== 'zip') {
    throw new UserError(`${formatReference(reference)} is a container image, not a zip artefact`, {
      hint: 'pull extracts zip artefacts; run an image with docker, or copy it with faasport copy.',
    });
  }
  let source = store;
  if (options.cache) {
    await copyArtifact(
      store,
      options.cache,
      resolved.root,
      options.onProgress ? { onProgress: options.onProgress } : {},
    );
    source = options.cache;
  }
  const { layer } = resolved.classification;
  await mkdir(dirname(out), { recursive: true });
  const scratch = join(dirname(out), `.${basename(out)}.pull-${randomBytes(6).toString('hex')}`);
  await mkdir(scratch);
  try {
    const zipPath = join(scratch, 'artifact.zip');
    const stream = await source.fetch(layer);
    let done = 0;
    stream.on('data', (chunk: Buffer) => {
      done += chunk.length;
      if (!options.cache) options.onProgress?.({ done, total: layer.size });
    });
    await pipeline(stream, createWriteStream(zipPath, { mode: 0o600 }));
    const staged = join(scratch, 'files');
    const extracted = await extractZip(zipPath, staged);
    if (existsEmpty) await rmdir(out);
    await rename(staged, out);
    return {
      reference: formatReference(reference),
      digest: resolved.root.digest,
      shape: 'zip',
      layer: { digest: layer.digest, size: layer.size },
      out,
      ...extracted,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
