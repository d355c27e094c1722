import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyArtifact } from '../../../../artifact/copy';
import { ArchiveStore } from '../../../../artifact/image/archive-store';
import { serialiseManifest } from '../../../../artifact/manifest/zip-manifest';
import { LayoutStore } from '../../../../artifact/store/layout-store';
import { MemoryStore } from '../../../../artifact/store/memory-store';
import { run } from '../../../helpers/run';
import { tempDir } from '../../../helpers/temp-dir';
import { blob } from '../fixtures';

describe('ArchiveStore', () => {
  it('reads an OCI layout inside a tar (docker save since Docker 25) and copies it out unchanged', async () => {
    const dir = await tempDir();
    const layout = new LayoutStore(join(dir, 'layout'));
    const config = blob(
      JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }),
      'application/vnd.oci.image.config.v1+json',
    );
    const layer = blob('x'.repeat(3000), 'application/vnd.oci.image.layer.v1.tar');
    for (const part of [config, layer]) await layout.push(part.descriptor, part.bytes);
    const built = serialiseManifest({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: config.descriptor,
      layers: [layer.descriptor],
    });
    await layout.push(built.descriptor, built.bytes);
    await layout.tag(built.descriptor, 'docker.io/library/app:1');
    const tarball = join(dir, 'image.tar');
    for (const format of ['gnu', 'pax', 'ustar']) {
      const tar = await run('tar', ['--format', format, '-cf', tarball, '-C', layout.root, '.']);
      expect(tar.code, tar.stderr).toBe(0);
      const archive = await ArchiveStore.open(tarball);
      expect(archive.image).toEqual(built.descriptor);
      const target = new MemoryStore();
      await copyArtifact(archive, target, archive.image, { tag: 'copied' });
      expect((await target.resolve('copied')).digest).toBe(built.descriptor.digest);
      expect(await target.exists(layer.descriptor)).toBe(true);
    }
  });

  it('refuses a tar that is not an image archive', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'readme.txt'), 'hello');
    const tarball = join(dir, 'other.tar');
    expect((await run('tar', ['-cf', tarball, '-C', dir, 'readme.txt'])).code).toBe(0);
    await expect(ArchiveStore.open(tarball)).rejects.toThrow(
      /neither index.json \(OCI layout\) nor manifest.json/,
    );
  });
});
