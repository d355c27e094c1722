import { join, relative } from 'node:path';
import { packFunction } from '../../artifact/pack/pack-function';
import { formatColumns } from '../../common/columns';
import type { ServerlessInstance } from '../serverless-api';
import type { CommandContext } from './command-context';

/** Where `sls package` writes the zips, as the framework does. */
export const PACKAGE_DIR = '.serverless';

/**
 * `sls package`: each function's deterministic zip (the artefact packer, so the digest is the one
 * `publish` pushes) in `.serverless/<function>.zip`. The framework is told the zips exist, so its
 * own whole-service packaging does not run.
 */
export async function packageFunctions(
  context: CommandContext,
  serverless: ServerlessInstance,
): Promise<void> {
  const { model } = context;
  const outDir =
    typeof context.options.package === 'string'
      ? context.options.package
      : join(model.serviceDir, PACKAGE_DIR);
  const rows: string[][] = [];
  for (const fn of model.functions) {
    const outFile = join(outDir, `${fn.key}.zip`);
    const zip = await packFunction({
      sourceDir: model.serviceDir,
      patterns: fn.packagePatterns,
      nodeModules: 'production',
      excludePackages: model.plugins,
      outFile,
    });
    const frameworkFunction = serverless.service.getFunction?.(fn.key);
    if (frameworkFunction) {
      frameworkFunction.package = { ...frameworkFunction.package, artifact: outFile };
    }
    rows.push([
      fn.key,
      relative(model.serviceDir, outFile),
      zip.digest,
      String(zip.size),
      String(zip.files.length),
    ]);
  }
  context.out(formatColumns(['FUNCTION', 'ZIP', 'DIGEST', 'BYTES', 'FILES'], rows));
}
