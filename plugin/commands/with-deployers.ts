import type { Cloud } from '../../common/clouds';
import { createDeployers } from '../deployers/create-deployers';
import type { TargetDeployer } from '../deployers/target-deployer';
import { resolveLocalCloud } from '../local-cloud-option';
import { SourceResolver } from '../planner/source-resolver';
import type { CommandContext } from './command-context';

export interface OpenDeployers {
  resolver: SourceResolver;
  /** One per target in use (or named by `--target`), pointed at the local cloud when asked. */
  deployers: Map<Cloud, TargetDeployer>;
}

/**
 * Runs `use` with this service's deployers — the real clouds, or the local control planes that
 * `--local-cloud` / FAASPORT_LOCAL_CLOUD name — and closes their clients afterwards.
 */
export async function withDeployers<T>(
  context: CommandContext,
  targets: Cloud[] | undefined,
  use: (open: OpenDeployers) => Promise<T>,
): Promise<T> {
  const { model, options } = context;
  const local = await resolveLocalCloud(options['local-cloud'], context.env, model.serviceDir);
  const resolver = new SourceResolver({ serviceDir: model.serviceDir });
  const deployers = createDeployers({
    model,
    resolver,
    local,
    env: context.env,
    ...(targets ? { targets } : {}),
  });
  try {
    return await use({ resolver, deployers });
  } finally {
    for (const deployer of deployers.values()) deployer.close();
  }
}
