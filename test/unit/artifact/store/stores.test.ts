import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DigestMismatchError, digestOf, SizeMismatchError } from '../../../../artifact/content/digest';
import { readAll } from '../../../../artifact/content/read-all';
import type { ContentStore } from '../../../../artifact/content/store';
import { LayoutStore } from '../../../../artifact/store/layout-store';
import { MemoryStore } from '../../../../artifact/store/memory-store';
import { blob, pushZipArtifact } from '../fixtures';

const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-store-'));
  scratch.push(dir);
  return dir;
}

const stores: Array<[string, () => Promise<ContentStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['layout', async () => new LayoutStore(join(await tempDir(), 'store'))],
];

describe.each(stores)('%s store', (_name, create) => {
  it('stores blobs and manifests, resolves tags and digests, and streams verified bytes', async () => {
    const store = await create();
    const zip = Buffer.from('PK\x03\x04 pretend zip');
    const { layer, manifest } = await pushZipArtifact(store, zip, 'v1');
    expect(await store.resolve('v1')).toEqual(manifest);
    expect(await store.resolve(manifest.digest)).toMatchObject({
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
    });
    expect(await store.exists(layer)).toBe(true);
    expect(await readAll(await store.fetch(layer), 1024, 'layer')).toEqual(zip);
  });

  it('refuses content that does not match its descriptor, and keeps nothing of it', async () => {
    const store = await create();
    const good = blob('the real bytes', 'application/octet-stream');
    await expect(store.push(good.descriptor, Buffer.from('other bytes!!!'))).rejects.toBeInstanceOf(
      DigestMismatchError,
    );
    await expect(store.push(good.descriptor, Buffer.from('short'))).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(
      store.push(good.descriptor, Readable.from([Buffer.from('the real bytes and more')])),
    ).rejects.toBeInstanceOf(SizeMismatchError);
    expect(await store.exists(good.descriptor)).toBe(false);
    await store.push(good.descriptor, () => Readable.from([Buffer.from('the real '), Buffer.from('bytes')]));
    expect(await store.exists(good.descriptor)).toBe(true);
  });

  it('names what is missing', async () => {
    const store = await create();
    await expect(store.resolve('nope')).rejects.toThrow(/"?nope"? not found/);
    const missing = blob('absent', 'application/octet-stream').descriptor;
    await expect(store.fetch(missing)).rejects.toThrow(`${missing.digest} not found`);
    await expect(store.tag(missing, 'x')).rejects.toThrow(/cannot tag/);
  });

  it('moves a tag to a new manifest', async () => {
    const store = await create();
    const first = await pushZipArtifact(store, Buffer.from('PK\x03\x04 one'), 'v1');
    const second = await pushZipArtifact(store, Buffer.from('PK\x03\x04 two'), 'v1');
    expect((await store.resolve('v1')).digest).toBe(second.manifest.digest);
    expect((await store.resolve(first.manifest.digest)).digest).toBe(first.manifest.digest);
  });
});

describe('LayoutStore', () => {
  it('writes the image-layout files and blobs/<alg>/<hex>, with tags in index.json', async () => {
    const dir = join(await tempDir(), 'layout');
    const store = new LayoutStore(dir);
    const { layer, manifest } = await pushZipArtifact(store, Buffer.from('PK\x03\x04 z'), 'v1');
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    });
    const hex = layer.digest.slice('sha256:'.length);
    expect(await readFile(join(dir, 'blobs/sha256', hex), 'utf8')).toBe('PK\x03\x04 z');
    // no temporary files left behind
    expect((await readdir(join(dir, 'blobs/sha256'))).every((name) => /^[a-f0-9]{64}$/.test(name))).toBe(
      true,
    );
  });

  it('keeps every tag when many are written concurrently', async () => {
    const dir = join(await tempDir(), 'layout');
    const a = new LayoutStore(dir);
    const b = new LayoutStore(dir);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        pushZipArtifact(i % 2 ? a : b, Buffer.from(`PK\x03\x04 ${i}`), `t${i}`),
      ),
    );
    expect((await a.tags()).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
    for (const [i, result] of results.entries())
      expect((await b.resolve(`t${i}`)).digest).toBe(result.manifest.digest);
  });

  it('detects a blob altered on disk', async () => {
    const dir = join(await tempDir(), 'layout');
    const store = new LayoutStore(dir);
    const { layer } = await pushZipArtifact(store, Buffer.from('PK\x03\x04 original'), 'v1');
    await writeFile(join(dir, 'blobs/sha256', layer.digest.slice(7)), 'PK\x03\x04 tampered');
    await expect(readAll(await store.fetch(layer), 1024, 'layer')).rejects.toThrow(
      `digest mismatch for oci:${dir}@${layer.digest}: expected ${layer.digest}, received content with digest ${digestOf('PK\x03\x04 tampered')}`,
    );
  });

  it('refuses a folder that is a different layout version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    const store = new LayoutStore(dir);
    const b = blob('x', 'application/octet-stream');
    await expect(store.push(b.descriptor, b.bytes)).rejects.toThrow(
      /is not an OCI image layout version 1.0.0/,
    );
  });

  it('says which tags exist when one is missing', async () => {
    const store = new LayoutStore(join(await tempDir(), 'layout'));
    await pushZipArtifact(store, Buffer.from('PK\x03\x04'), 'v1');
    await expect(store.resolve('v2')).rejects.toMatchObject({
      message: expect.stringContaining('tag "v2" not found'),
      hint: 'It has: v1.',
    });
  });
});
