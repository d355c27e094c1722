import type { Cloud } from '../../common/clouds';
import { isUserError } from '../../common/errors';
import { mapSettled } from '../planner/bounded';
import { writes } from '../planner/plan';
import type { PlannedStep, TargetDeployer } from './target-deployer';

export interface StepOutcome {
  step: PlannedStep;
  ok: boolean;
  error?: string;
  seconds: number;
}

export interface ApplyOptions {
  /** Functions changed at once per target. */
  concurrency: number;
  /** Progress lines (stderr). */
  log(line: string): void;
  /** Stops starting new steps (SIGINT); steps under way finish. */
  signal?: AbortSignal;
}

/**
 * Applies the writing steps: each target in parallel, at most `concurrency` functions at a time
 * per target. A failed step does not stop the others; the outcomes say what landed.
 */
export async function applyPlan(
  steps: PlannedStep[],
  deployers: Map<Cloud, TargetDeployer>,
  options: ApplyOptions,
): Promise<StepOutcome[]> {
  const byTarget = new Map<Cloud, PlannedStep[]>();
  for (const step of steps.filter((s) => writes(s.row))) {
    byTarget.set(step.row.target, [...(byTarget.get(step.row.target) ?? []), step]);
  }
  const outcomes = await Promise.all(
    [...byTarget].map(async ([target, targetSteps]) => {
      const deployer = deployers.get(target);
      if (!deployer) throw new Error(`no deployer for ${target}`);
      const settled = await mapSettled(targetSteps, options.concurrency, async (step) => {
        const label = `${step.row.target} ${step.row.function}`;
        if (options.signal?.aborted) throw new Error('not started: interrupted');
        const started = Date.now();
        options.log(`${label}: ${step.row.action} (${step.row.reason})`);
        await deployer.apply(step, (message) => options.log(`${label}: ${message}`));
        const seconds = (Date.now() - started) / 1000;
        options.log(`${label}: done in ${seconds.toFixed(1)} s`);
        return seconds;
      });
      return settled.map(
        (result, index): StepOutcome =>
          result.status === 'fulfilled'
            ? { step: targetSteps[index] as PlannedStep, ok: true, seconds: result.value }
            : {
                step: targetSteps[index] as PlannedStep,
                ok: false,
                error: describeFailure(result.reason),
                seconds: 0,
              },
      );
    }),
  );
  return outcomes.flat();
}

/** A step's failure for the summary: the message, and for a user's mistake what to do about it. */
function describeFailure(reason: unknown): string {
  if (isUserError(reason)) return reason.hint ? `${reason.message} → ${reason.hint}` : reason.message;
  return reason instanceof Error ? reason.message : String(reason);
}
