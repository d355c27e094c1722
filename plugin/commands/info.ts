import { formatColumns } from '../../common/columns';
import { deployUnits } from '../planner/deploy-units';
import { short } from '../planner/diff';
import { type CommandContext, targetOption } from './command-context';
import { withDeployers } from './with-deployers';

/** `sls info`: function × target → deployed digest, state, last update, endpoint. */
export async function info(context: CommandContext): Promise<void> {
  const { model, options } = context;
  const targets = targetOption(options);
  await withDeployers(context, targets, async ({ deployers }) => {
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
  });
}
