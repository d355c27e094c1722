import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '../../artifact/content/digest';
import { publishFolder } from '../../artifact/publish/publish-folder';
import { LayoutStore } from '../../artifact/store/layout-store';
import { extractZip } from '../../artifact/unzip/safe-unzip';
import { LOCAL_STATE } from '../../common/local-state';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';

export interface FunctionCode {
  /** Host folder with the unpacked zip: what /var/task holds. */
  codeDir: string;
  /** Manifest digest: what `faasport publish` would push for this source. */
  digest: string;
  /** Digest of the zip itself. */
  zipDigest: string;
}

/**
 * Runs what would be deployed, not the working tree: each function's source is packed by the
 * publish packer into the service's local OCI layout (`.faasport/store`, tagged with the function
 * key), then the zip is unpacked once per digest into `.faasport/code/<hex>`. Functions with the
 * same source and patterns share one digest and one folder.
 */
export class LocalFunctionCode {
  private readonly store: LayoutStore;
  private readonly codeRoot: string;
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(private readonly model: ServiceModel) {
    this.store = new LayoutStore(join(model.serviceDir, LOCAL_STATE.store));
    this.codeRoot = join(model.serviceDir, LOCAL_STATE.code);
  }

  async prepare(fn: FunctionModel): Promise<FunctionCode> {
    const published = await publishFolder(
      this.store,
      { sourceDir: this.model.serviceDir, patterns: fn.packagePatterns, nodeModules: 'production' },
      fn.key,
    );
    const zipDigest = published.layer.digest;
    let codeDir = this.unpacking.get(zipDigest);
    if (!codeDir) {
      codeDir = this.unpack(zipDigest);
      this.unpacking.set(zipDigest, codeDir);
      codeDir.catch(() => this.unpacking.delete(zipDigest));
    }
    return { codeDir: await codeDir, digest: published.manifest.digest, zipDigest };
  }

  /** Unpacks into a temporary sibling then renames, so a folder that exists is always complete. */
  private async unpack(zipDigest: string): Promise<string> {
    const { algorithm, hex } = parseDigest(zipDigest);
    const target = join(this.codeRoot, hex);
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    )
      return target;
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    try {
      await extractZip(join(this.store.root, 'blobs', algorithm, hex), partial);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      if (
        await stat(target).then(
          () => true,
          () => false,
        )
      )
        return target; // another run won the race
      throw error;
    }
    return target;
  }
}
