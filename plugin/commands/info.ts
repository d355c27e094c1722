import { formatColumns } from '../../common/columns';
import { createDeployers } from '../deployers/create-deployers';
import { resolveLocalCloud } from '../local-cloud-option';
import { deployUnits } from '../planner/deploy-units';
import { short } from '../planner/diff';
import { SourceResolver } from '../planner/source-resolver';
import { type CommandContext, targetOption } from './command-context';

/** `sls info`: function × target → deployed digest, state, last update, endpoint. */
export async function info(context: CommandContext): Promise<void> {
  const { model, options } = context;
  const targets = targetOption(options);
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
    const rows: string[][] = [];
    for (const [target, deployer] of deployers) {
      const units = deployUnits(model, { targets: [target] });
      for (const row of await deployer.describe(units)) {
        rows.push([
          row.function,
          row.target,
          row.digest ? short(row.digest) : '-',
          row.state,
          row.lastUpdate ?? '-',
          row.endpoint ?? '-',
        ]);
      }
    }
    context.out(`service: ${model.service}\nstage: ${model.stage}\n`);
    context.out(formatColumns(['FUNCTION', 'TARGET', 'DIGEST', 'STATE', 'LAST UPDATE', 'ENDPOINT'], rows));
  } finally {
    for (const deployer of deployers.values()) deployer.close();
  }
}
