import { publishService } from '../../artifact/publish/publish-service';
import { functionsToPublish } from '../../artifact/publish/service-functions';
import { formatColumns } from '../../common/columns';
import type { CommandContext } from './command-context';

/**
 * `sls publish [-f fn]`: packs each function and pushes it to its sourceArtifact, then copies the
 * same bytes to every other reference (target registries) — what `faasport publish -c` does, on
 * the configuration the framework resolved.
 */
export async function publish(context: CommandContext): Promise<void> {
  const { model, options } = context;
  const only = typeof options.function === 'string' ? options.function : undefined;
  const results = await publishService({
    serviceDir: model.serviceDir,
    functions: functionsToPublish(model, only),
    plugins: model.plugins,
    insecure: options.insecure === true,
    onFunction: (fn) => {
      if (fn.references[0]) context.log(`publishing ${fn.name}`);
      return undefined;
    },
  });
  context.out(
    formatColumns(
      ['FUNCTION', 'REFERENCE', 'RESULT'],
      results.map((published) => [published.function, published.reference, published.result]),
    ),
  );
}
