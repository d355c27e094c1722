import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../artifact/content/digest';
import { buildZipManifest } from '../../../artifact/manifest/zip-manifest';
import { packFunction } from '../../../artifact/pack/pack-function';
import { pullArtifact } from '../../../artifact/pull';
import { parseReference } from '../../../artifact/reference';
import { MemoryStore } from '../../../artifact/store/memory-store';
import { tempDir } from '../../helpers/temp-dir';
import { pushImageIndex, pushZipArtifact } from './fixtures';

const platform = { os: 'linux', architecture: 'amd64' };

describe('pullArtifact', () => {
  it('extracts a zip artefact into a new folder', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'handler.js'), 'ok');
    const zip = await packFunction({ sourceDir: dir, outFile: join(await tempDir(), 'f.zip') });
    const store = new MemoryStore();
    await pushZipArtifact(store, await readFile(zip.path), 'v1');
    const out = join(await tempDir(), 'out');
    const result = await pullArtifact(store, parseReference('oci:x:v1'), out, { platform });
    expect(result).toMatchObject({ shape: 'zip', files: 1, out });
    expect(await readFile(join(out, 'handler.js'), 'utf8')).toBe('ok');
  });

  it('refuses an image, a non-empty folder, and a layer titled .zip that is not a zip', async () => {
    const store = new MemoryStore();
    await pushImageIndex(store, 'img');
    await expect(
      pullArtifact(store, parseReference('oci:x:img'), join(await tempDir(), 'o'), { platform }),
    ).rejects.toThrow(/is a container image, not a zip artefact/);
    const full = await tempDir();
    await mkdir(join(full, 'something'));
    await expect(pullArtifact(store, parseReference('oci:x:img'), full, { platform })).rejects.toThrow(
      /is not empty/,
    );

    const fake = Buffer.from('\x1f\x8b not a zip');
    const layer = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: digestOf(fake),
      size: fake.length,
      annotations: { 'org.opencontainers.image.title': 'function.zip' },
    };
    const built = buildZipManifest(layer);
    await store.push(layer, fake);
    await store.push(built.descriptor, built.bytes);
    await store.tag(built.descriptor, 'fake');
    await expect(
      pullArtifact(store, parseReference('oci:x:fake'), join(await tempDir(), 'o'), { platform }),
    ).rejects.toThrow(/typed application\/vnd.oci.image.layer.v1.tar and its bytes are not a zip/);
  });
});
