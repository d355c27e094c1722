import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractZip } from '../../artifact/unzip/safe-unzip';

/**
 * Zips deployed to a local control plane, unpacked for an engine to run: once per content
 * digest, into `<root>/<sha256 hex>`, through the same guarded extraction as every artefact.
 * A folder that exists is complete (unpacked beside it, then renamed).
 */
export class DeployedCode {
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(private readonly root: string) {}

  /** The folder holding this zip's files. */
  prepare(zip: Buffer): Promise<string> {
    const hex = createHash('sha256').update(zip).digest('hex');
    let folder = this.unpacking.get(hex);
    if (!folder) {
      folder = this.unpack(hex, zip);
      this.unpacking.set(hex, folder);
      folder.catch(() => this.unpacking.delete(hex));
    }
    return folder;
  }

  private async unpack(hex: string, zip: Buffer): Promise<string> {
    const target = join(this.root, hex);
    if (await exists(target)) return target;
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    const zipFile = `${partial}.zip`;
    try {
      await mkdir(this.root, { recursive: true });
      await writeFile(zipFile, zip);
      await extractZip(zipFile, partial);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (!(await exists(target))) throw error;
    } finally {
      await rm(zipFile, { force: true });
    }
    return target;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
