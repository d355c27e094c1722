import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../artifact/content/digest';
import { readAll } from '../../../artifact/content/read-all';
import { copyArtifact } from '../../../artifact/copy';
import { classifyManifest } from '../../../artifact/manifest/classify';
import { readManifest } from '../../../artifact/manifest/read';
import { packFunction } from '../../../artifact/pack/pack-function';
import { LayoutStore } from '../../../artifact/store/layout-store';
import { MemoryStore } from '../../../artifact/store/memory-store';
import { run } from '../../helpers/run';
import { services } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';
import { pushImageIndex, pushZipArtifact } from '../../unit/artifact/fixtures';

async function skopeo(args: string[]): Promise<string> {
  const result = await run(services().skopeo, args);
  expect(result.stderr, `skopeo ${args.join(' ')} failed`).toBe(result.code === 0 ? result.stderr : '');
  expect(result.code).toBe(0);
  return result.stdout;
}

describe('the OCI layout store and skopeo', () => {
  it('skopeo reads our layout and copies it to a layout we read back and verify', async () => {
    const dir = await tempDir();
    const source = join(dir, 'function');
    await writeFile(join(dir, 'handler.js'), 'exports.handler = async () => "hi";\n');
    const zip = await packFunction({
      sourceDir: dir,
      patterns: ['!function/**'],
      outFile: join(dir, 'out', 'function.zip'),
    });
    const ours = new LayoutStore(source);
    const zipBytes = await readFile(zip.path);
    const pushed = await pushZipArtifact(ours, zipBytes, 'v1');

    // skopeo sees exactly our manifest bytes
    const raw = await skopeo(['inspect', '--raw', `oci:${source}:v1`]);
    expect(raw).toBe(pushed.manifestBytes.toString());
    expect(digestOf(raw)).toBe(pushed.manifest.digest);

    // skopeo copies it into another layout; we read that one and verify every byte
    const copied = join(dir, 'copied');
    await skopeo(['copy', '--preserve-digests', `oci:${source}:v1`, `oci:${copied}:again`]);
    const theirs = new LayoutStore(copied);
    const root = await theirs.resolve('again');
    expect(root.digest).toBe(pushed.manifest.digest);
    const { parsed } = await readManifest(theirs, root);
    if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
    const shape = classifyManifest(parsed.manifest, theirs.location);
    expect(shape).toMatchObject({ shape: 'zip', layer: { digest: zip.digest, size: zip.size } });
    expect(await readAll(await theirs.fetch(pushed.layer), 1e7, 'zip')).toEqual(zipBytes);
    // and our copy routine takes it from there
    const memory = new MemoryStore();
    await copyArtifact(theirs, memory, root, { tag: 'v1' });
    expect((await memory.resolve('v1')).digest).toBe(pushed.manifest.digest);
  });

  it('skopeo reads a multi-platform index we wrote and picks the platform', async () => {
    const dir = await tempDir();
    const store = new LayoutStore(join(dir, 'layout'));
    const { index, children } = await pushImageIndex(store, 'multi');
    expect(digestOf(await skopeo(['inspect', '--raw', `oci:${store.root}:multi`]))).toBe(index.digest);
    // skopeo resolves the platform child through our index and reads its config
    const arm = JSON.parse(await skopeo(['--override-arch', 'arm64', 'inspect', `oci:${store.root}:multi`]));
    expect(arm).toMatchObject({ Architecture: 'arm64', Os: 'linux', Digest: index.digest });
    await skopeo([
      'copy',
      '--all',
      '--preserve-digests',
      `oci:${store.root}:multi`,
      `oci:${join(dir, 'copy')}:multi`,
    ]);
    const copy = new LayoutStore(join(dir, 'copy'));
    expect((await copy.resolve('multi')).digest).toBe(index.digest);
    for (const child of children) expect(await copy.exists(child)).toBe(true);
  });
});
