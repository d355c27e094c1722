import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDigest } from '../../artifact/content/digest';
import { hostPlatform } from '../../artifact/manifest/platform';
import { openStore } from '../../artifact/open-store';
import { pullArtifact } from '../../artifact/pull';
import { parseReference, referenceTarget, withDigest } from '../../artifact/reference';
import { resolveArtifact } from '../../artifact/resolve-artifact';
import { LayoutStore } from '../../artifact/store/layout-store';
import type { Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import { LOCAL_STATE } from '../../common/local-state';
import type { FunctionModel, ServiceModel } from '../../common/service/service-model';
import { serviceCacheDir } from './cache-dir';
import type { FunctionCode } from './function-code';

/**
 * `--artifacts registry`: runs exactly what a function's sourceArtifact points to. The tag is
 * pinned to its digest once, every byte is verified, the artefact is cached in the service's
 * layout store and unpacked once per zip digest — the same folders local source uses.
 */
export class RegistryFunctionCode {
  private readonly cache: LayoutStore;
  private readonly codeRoot: string;

  constructor(private readonly model: ServiceModel) {
    this.cache = new LayoutStore(join(model.serviceDir, LOCAL_STATE.store));
    this.codeRoot = join(serviceCacheDir(model.serviceDir), 'code');
  }

  async prepare(fn: FunctionModel, target: Cloud = 'aws'): Promise<FunctionCode> {
    const text = fn.sourceArtifact[target] ?? Object.values(fn.sourceArtifact)[0];
    if (!text) {
      throw new UserError(`${this.model.configFile}: functions.${fn.key} has no sourceArtifact to run`, {
        hint: 'Add sourceArtifact, or run from local source (drop --artifacts registry).',
      });
    }
    const reference = parseReference(text);
    const store = openStore(reference, { baseDir: this.model.serviceDir });
    const resolved = await resolveArtifact(store, referenceTarget(reference), hostPlatform());
    if (resolved.classification.shape !== 'zip') {
      throw new UserError(`${text} is a container image: set packageType: image for functions.${fn.key}`);
    }
    const zipDigest = resolved.classification.layer.digest;
    const codeDir = join(this.codeRoot, parseDigest(zipDigest).hex);
    if (
      !(await stat(codeDir).then(
        () => true,
        () => false,
      ))
    ) {
      const partial = `${codeDir}.partial-${randomBytes(4).toString('hex')}`;
      try {
        await pullArtifact(store, withDigest(reference, resolved.root.digest), partial, {
          platform: hostPlatform(),
          cache: this.cache,
        });
        await rename(partial, codeDir);
      } catch (error) {
        await rm(partial, { recursive: true, force: true });
        if (
          !(await stat(codeDir).then(
            () => true,
            () => false,
          ))
        )
          throw error;
      }
    }
    return { codeDir: codeDir, digest: resolved.root.digest, zipDigest };
  }
}
