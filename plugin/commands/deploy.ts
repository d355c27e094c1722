import { UserError } from '../../common/errors';
import { applyPlan, type StepOutcome } from '../deployers/apply-plan';
import { makePlan } from '../planner/make-plan';
import { formatPlan, writes } from '../planner/plan';
import { type CommandContext, integerOption, targetOption } from './command-context';
import { withDeployers } from './with-deployers';

/** Functions changed at once per target unless --concurrency says otherwise. */
export const DEFAULT_DEPLOY_CONCURRENCY = 8;

/**
 * `sls deploy` and `sls deploy function -f`: plan, print the plan, apply it (unless --dry-run),
 * report per function and target. A partial failure exits non-zero and says what landed.
 */
export async function deploy(context: CommandContext, only?: string): Promise<void> {
  const { model, options } = context;
  const targets = targetOption(options);
  const concurrency = integerOption(options, 'concurrency', DEFAULT_DEPLOY_CONCURRENCY);
  const dryRun = options['dry-run'] === true;
  await withDeployers(context, targets, async ({ resolver, deployers }) => {
    const plan = await makePlan(model, deployers, resolver, {
      deletes: only === undefined,
      ...(targets ? { targets } : {}),
      ...(only !== undefined ? { function: only } : {}),
    });
    context.out(formatPlan(plan.rows));
    if (dryRun) {
      context.out('\n--dry-run: nothing was changed.');
      return;
    }
    const changing = plan.steps.filter((step) => writes(step.row));
    if (changing.length === 0) {
      context.out(`\n${model.service} (${model.stage}) is up to date: nothing to change.`);
      return;
    }
    const interrupt = new AbortController();
    const onSignal = () => {
      context.log(
        '\ninterrupted: finishing the changes under way, starting no new ones (Ctrl-C again to abort)',
      );
      interrupt.abort();
    };
    process.once('SIGINT', onSignal);
    let outcomes: StepOutcome[];
    try {
      outcomes = await applyPlan(changing, deployers, {
        concurrency,
        log: context.log,
        signal: interrupt.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
    }
    context.out(`\n${summary(outcomes)}`);
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (failed.length) {
      const landed = outcomes.length - failed.length;
      throw new UserError(
        `${failed.length} of ${outcomes.length} changes did not complete (${landed} landed):\n${failed
          .map((outcome) => `  ${outcome.step.row.target} ${outcome.step.row.function}: ${outcome.error}`)
          .join('\n')}`,
        {
          hint: 'Re-run the same command to resume: it compares what is deployed with serverless.yml and finishes only what is left.',
        },
      );
    }
  });
}

function summary(outcomes: StepOutcome[]): string {
  const lines = outcomes.map(({ step, ok, error, seconds }) => {
    const what = `${step.row.target} ${step.row.function}: ${step.row.action}`;
    return ok ? `  ✔ ${what} (${seconds.toFixed(1)} s)` : `  ✖ ${what} — ${error}`;
  });
  const ok = outcomes.filter((outcome) => outcome.ok).length;
  return `Deployed: ${ok} of ${outcomes.length} changes landed.\n${lines.join('\n')}`;
}
