import { formatColumns } from '../../common/columns';
import { UserError } from '../../common/errors';
import { applyPlan } from '../deployers/apply-plan';
import type { PlannedStep } from '../deployers/target-deployer';
import { deployUnits } from '../planner/deploy-units';
import { NO_CHANGES } from '../planner/plan';
import { type CommandContext, integerOption, targetOption } from './command-context';
import { DEFAULT_DEPLOY_CONCURRENCY } from './deploy';
import { withDeployers } from './with-deployers';

/**
 * `sls remove`: deletes the functions this service and stage own on each target — those
 * declared and those left over from earlier deploys — and nothing else.
 */
export async function remove(context: CommandContext): Promise<void> {
  const { model, options } = context;
  const targets = targetOption(options);
  const concurrency = integerOption(options, 'concurrency', DEFAULT_DEPLOY_CONCURRENCY);
  await withDeployers(context, targets, async ({ deployers }) => {
    const steps: PlannedStep[] = [];
    for (const [target, deployer] of deployers) {
      const units = deployUnits(model, { targets: [target] });
      const observed = await deployer.observe(units);
      const names = new Set(await deployer.listOwned(new Set(observed.keys())));
      for (const [name, spec] of observed) if (spec.exists && spec.owned) names.add(name);
      for (const name of [...names].sort()) {
        const fn = model.functions.find((candidate) => candidate.name === name);
        steps.push({
          row: {
            function: fn?.key ?? name,
            name,
            target,
            action: 'delete',
            reason: 'sls remove',
            changes: NO_CHANGES,
          },
        });
      }
    }
    if (steps.length === 0) {
      context.out(`${model.service} (${model.stage}): nothing deployed to remove.`);
      return;
    }
    const outcomes = await applyPlan(steps, deployers, { concurrency, log: context.log });
    context.out(
      formatColumns(
        ['FUNCTION', 'TARGET', 'RESULT'],
        outcomes.map(({ step, ok, error }) => [
          step.row.name,
          step.row.target,
          ok ? 'removed' : `failed: ${error}`,
        ]),
      ),
    );
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (failed.length) {
      throw new UserError(`${failed.length} of ${outcomes.length} functions were not removed`, {
        hint: 'Re-run `sls remove`: it removes what is still there.',
      });
    }
  });
}
