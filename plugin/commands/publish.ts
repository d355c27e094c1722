import { copyArtifact } from '../../artifact/copy';
import { mountSource, openStore } from '../../artifact/open-store';
import { publishFolder } from '../../artifact/publish/publish-folder';
import { functionsToPublish, type ServiceConfig } from '../../artifact/publish/service-functions';
import { formatReference, withDigest } from '../../artifact/reference';
import { formatColumns } from '../../common/columns';
import type { CommandContext } from './command-context';

/**
 * `sls publish [-f fn]`: packs each function and pushes it to its sourceArtifact, then copies the
 * same bytes to every other reference (target registries) — what `faasport publish -c` does, on
 * the configuration the framework resolved.
 */
export async function publish(context: CommandContext, config: Record<string, unknown>): Promise<void> {
  const { model, options } = context;
  const only = typeof options.function === 'string' ? options.function : undefined;
  const insecure = options.insecure === true;
  const functions = functionsToPublish(config as ServiceConfig, only);
  const rows: string[][] = [];
  for (const fn of functions) {
    const [primary, ...others] = fn.references;
    if (!primary) continue;
    const store = openStore(primary, { insecure, baseDir: model.serviceDir });
    context.log(`publishing ${fn.name} to ${formatReference(primary)}`);
    const published = await publishFolder(
      store,
      { sourceDir: model.serviceDir, patterns: fn.patterns, nodeModules: 'production' },
      primary.tag,
    );
    const digest = published.manifest.digest;
    rows.push([
      fn.name,
      formatReference(withDigest(primary, digest)),
      published.uploadedBytes ? 'pushed' : 'unchanged',
    ]);
    for (const other of others) {
      const mountFrom = mountSource(primary, other);
      const copied = await copyArtifact(
        store,
        openStore(other, { insecure, baseDir: model.serviceDir }),
        published.manifest,
        {
          ...(other.tag !== undefined ? { tag: other.tag } : {}),
          ...(mountFrom !== undefined ? { mountFrom } : {}),
        },
      );
      rows.push([
        fn.name,
        formatReference(withDigest(other, digest)),
        copied.transferred ? 'copied' : 'unchanged',
      ]);
    }
  }
  context.out(formatColumns(['FUNCTION', 'REFERENCE', 'RESULT'], rows));
}
