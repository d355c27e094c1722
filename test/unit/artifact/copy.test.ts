import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DigestMismatchError } from '../../../artifact/content/digest';
import { readAll } from '../../../artifact/content/read-all';
import { type CopyProgress, copyArtifact } from '../../../artifact/copy';
import { LayoutStore } from '../../../artifact/store/layout-store';
import { MemoryStore } from '../../../artifact/store/memory-store';
import { pushImageIndex, pushZipArtifact } from './fixtures';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});
async function layout(): Promise<LayoutStore> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-copy-'));
  scratch.push(dir);
  return new LayoutStore(join(dir, 'store'));
}

describe('copyArtifact', () => {
  it('copies a zip artefact memory → layout → memory with digests preserved and progress reported', async () => {
    const source = new MemoryStore();
    const zip = Buffer.from(`PK\x03\x04${'x'.repeat(5000)}`);
    const pushed = await pushZipArtifact(source, zip, 'v1');
    const middle = await layout();
    const progress: CopyProgress[] = [];
    const result = await copyArtifact(source, middle, pushed.manifest, {
      tag: 'copied',
      onProgress: (p) => progress.push(p),
    });
    expect((await middle.resolve('copied')).digest).toBe(pushed.manifest.digest);
    const total = zip.length + 2 + pushed.manifest.size;
    expect(result).toMatchObject({ transferred: total, skipped: 0, mounted: 0 });
    expect(progress[0]).toEqual({ done: 0, total });
    expect(progress.at(-1)).toEqual({ done: total, total });

    const back = new MemoryStore();
    await copyArtifact(middle, back, await middle.resolve('copied'), { tag: 'v1' });
    expect(await readAll(await back.fetch(pushed.layer), 1e6, 'zip')).toEqual(zip);
    expect((await back.resolve('v1')).digest).toBe(pushed.manifest.digest);
  });

  it('skips everything the target already has', async () => {
    const source = new MemoryStore();
    const pushed = await pushZipArtifact(source, Buffer.from('PK\x03\x04 abc'), 'v1');
    const target = await layout();
    await copyArtifact(source, target, pushed.manifest, { tag: 'v1' });
    const again = await copyArtifact(source, target, pushed.manifest, { tag: 'v2' });
    expect(again).toMatchObject({ transferred: 0, skipped: 3 });
    expect((await target.resolve('v2')).digest).toBe(pushed.manifest.digest);
  });

  it('copies an image index with every child, children before the index, shared blobs once', async () => {
    const source = await layout();
    const { index, children } = await pushImageIndex(source, 'multi');
    const target = new MemoryStore();
    const order: string[] = [];
    const push = target.push.bind(target);
    target.push = async (descriptor, content) => {
      order.push(descriptor.digest);
      await push(descriptor, content);
    };
    await copyArtifact(source, target, index, { tag: 'multi' });
    expect(order).toHaveLength(1 + 2 + 3 + 2); // shared layer once, two configs, two own layers, two manifests, index
    expect(order.at(-1)).toBe(index.digest);
    for (const child of children)
      expect(order.indexOf(child.digest)).toBeLessThan(order.indexOf(index.digest));
    expect((await target.resolve('multi')).digest).toBe(index.digest);
  });

  it('fails on a corrupted source blob and tags nothing', async () => {
    const source = new MemoryStore();
    const pushed = await pushZipArtifact(source, Buffer.from('PK\x03\x04 genuine'), 'v1');
    source.corrupt(pushed.layer.digest, Buffer.from('PK\x03\x04 forgery'));
    const target = await layout();
    await expect(copyArtifact(source, target, pushed.manifest, { tag: 'v1' })).rejects.toBeInstanceOf(
      DigestMismatchError,
    );
    expect(await target.exists(pushed.layer)).toBe(false);
    await expect(target.resolve('v1')).rejects.toThrow(/not found/);
  });

  it('uses inline data for the empty config instead of fetching it', async () => {
    const source = new MemoryStore();
    const pushed = await pushZipArtifact(source, Buffer.from('PK\x03\x04'), 'v1');
    const fetch = source.fetch.bind(source);
    const fetched: string[] = [];
    source.fetch = async (descriptor) => {
      fetched.push(descriptor.digest);
      return fetch(descriptor);
    };
    await copyArtifact(source, new MemoryStore(), pushed.manifest);
    expect(fetched).toEqual([pushed.manifest.digest, pushed.layer.digest]);
  });
});
