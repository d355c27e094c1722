import { PassThrough, type Readable, Transform } from 'node:stream';
import type { Descriptor } from './content/descriptor';
import { digestOf } from './content/digest';
import type { ContentStore, MountableStore } from './content/store';
import { readManifest } from './manifest/read';
import { isManifestType } from './media-types';

export interface CopyProgress {
  /** Bytes of content transferred or found already present. */
  done: number;
  /** Bytes of all content the artefact is made of. */
  total: number;
}

export interface CopyOptions {
  /** Tag the root in the target once everything is there. */
  tag?: string;
  /** Source repository on the same registry as the target: blobs are mounted, not uploaded. */
  mountFrom?: string;
  onProgress?: (progress: CopyProgress) => void;
  /** Parallel blob transfers. */
  concurrency?: number;
}

export interface CopyResult {
  root: Descriptor;
  /** Bytes actually sent to the target (0 when it had everything). */
  transferred: number;
  /** Blobs and manifests the target already had, or got by mount. */
  skipped: number;
  mounted: number;
}

interface Node {
  descriptor: Descriptor;
  bytes?: Buffer;
  children: Node[];
}

function isMountable(store: ContentStore): store is MountableStore {
  return typeof (store as Partial<MountableStore>).mount === 'function';
}

/** Inline `data` is verified against the descriptor before it can stand in for a fetch. */
function inlineBytes(descriptor: Descriptor): Buffer | undefined {
  if (descriptor.data === undefined) return undefined;
  const bytes = Buffer.from(descriptor.data, 'base64');
  return bytes.length === descriptor.size && digestOf(bytes) === descriptor.digest ? bytes : undefined;
}

/** The artefact's graph: manifests parsed (verified by the source store), blobs as leaves. */
async function walk(source: ContentStore, descriptor: Descriptor): Promise<Node> {
  if (!isManifestType(descriptor.mediaType)) return { descriptor, children: [] };
  const { bytes, parsed } = await readManifest(source, descriptor);
  const childDescriptors =
    parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers];
  const children: Node[] = [];
  for (const child of childDescriptors) children.push(await walk(source, child));
  return { descriptor, bytes, children };
}

/** Runs tasks with at most `limit` in flight; the first failure fails the whole. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Copies an artefact between any two stores, digests preserved: children before parents (blobs,
 * then manifests, then the index), skipping what the target has, mounting across repositories
 * of one registry, and verifying every byte on the way (source streams are verified, and the
 * target verifies what it stores). Tags last, so a tag never points at a partial artefact.
 */
export async function copyArtifact(
  source: ContentStore,
  target: ContentStore,
  root: Descriptor,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const graph = await walk(source, root);
  const blobs = new Map<string, Descriptor>();
  const manifests: Node[] = [];
  const collect = (node: Node): void => {
    if (node.bytes === undefined) {
      blobs.set(node.descriptor.digest, node.descriptor);
      return;
    }
    for (const child of node.children) collect(child);
    if (!manifests.some((seen) => seen.descriptor.digest === node.descriptor.digest)) manifests.push(node);
  };
  collect(graph);

  const total =
    [...blobs.values()].reduce((sum, blob) => sum + blob.size, 0) +
    manifests.reduce((sum, node) => sum + node.descriptor.size, 0);
  const result: CopyResult = { root, transferred: 0, skipped: 0, mounted: 0 };
  let done = 0;
  const advance = (bytes: number): void => {
    done += bytes;
    options.onProgress?.({ done, total });
  };
  options.onProgress?.({ done, total });

  await inParallel([...blobs.values()], options.concurrency ?? 3, async (blob) => {
    if (await target.exists(blob)) {
      result.skipped++;
      advance(blob.size);
      return;
    }
    if (
      options.mountFrom !== undefined &&
      isMountable(target) &&
      (await target.mount(blob, options.mountFrom))
    ) {
      result.mounted++;
      advance(blob.size);
      return;
    }
    const inline = inlineBytes(blob);
    if (inline) {
      await target.push(blob, inline);
      result.transferred += inline.length;
      advance(inline.length);
      return;
    }
    // a fresh verified source stream per attempt, so the target may retry an interrupted upload
    let sentThisAttempt = 0;
    await target.push(blob, () => {
      done -= sentThisAttempt;
      result.transferred -= sentThisAttempt;
      sentThisAttempt = 0;
      return counted(openLazily(source, blob), (bytes) => {
        sentThisAttempt += bytes;
        result.transferred += bytes;
        advance(bytes);
      });
    });
  });

  for (const node of manifests) {
    if (await target.exists(node.descriptor)) {
      result.skipped++;
    } else {
      await target.push(node.descriptor, node.bytes!);
      result.transferred += node.descriptor.size;
    }
    advance(node.descriptor.size);
  }
  if (options.tag !== undefined) await target.tag(root, options.tag);
  return result;
}

/** A stream now that fills once the store's (async) fetch resolves; errors pass through. */
function openLazily(store: ContentStore, descriptor: Descriptor): Readable {
  const out = new PassThrough();
  store.fetch(descriptor).then(
    (stream) => {
      stream.on('error', (error) => out.destroy(error));
      stream.pipe(out);
    },
    (error: unknown) => out.destroy(error as Error),
  );
  return out;
}

function counted(stream: Readable, onBytes: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  stream.on('error', (error) => counter.destroy(error));
  return stream.pipe(counter);
}
