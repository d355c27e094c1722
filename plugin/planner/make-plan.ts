import type { Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import type { ServiceModel } from '../../common/service/service-model';
import type { PlannedStep, TargetDeployer } from '../deployers/target-deployer';
import { mapBounded } from './bounded';
import { type DeployUnit, deployUnits, type UnitSelection } from './deploy-units';
import { decide } from './diff';
import { NO_CHANGES, type PlanRow } from './plan';
import type { ResolvedSource } from './resolved-source';
import type { SourceResolver } from './source-resolver';

/** Artefacts resolved at once: registry HEADs are cheap, but not unbounded. */
const RESOLVE_CONCURRENCY = 8;

export interface Plan {
  steps: PlannedStep[];
  rows: PlanRow[];
}

export interface PlanOptions extends UnitSelection {
  /** Plan deletes of owned functions no longer declared (whole-service deploys only). */
  deletes: boolean;
}

/**
 * Resolve → read deployed state → diff. Everything that can be refused is refused here, before
 * the first write: unknown targets and bad settings before any network call, shapes a cloud
 * cannot take before any cloud call, foreign functions before any write.
 */
export async function makePlan(
  model: ServiceModel,
  deployers: Map<Cloud, TargetDeployer>,
  resolver: SourceResolver,
  options: PlanOptions,
): Promise<Plan> {
  const units = deployUnits(model, options);
  for (const unit of units) {
    if (unit.packageType === 'image') refuseImageOn(model, unit);
    deployerFor(deployers, unit).check(unit);
  }

  const sources = await mapBounded(units, RESOLVE_CONCURRENCY, (unit) =>
    resolver.resolve(unit.written, unit.reference, deployerFor(deployers, unit).platformFor(unit), unit.path),
  );
  units.forEach((unit, index) => {
    const source = sources[index] as ResolvedSource;
    checkPackageType(model, unit, source);
    if (source.shape === 'image') refuseImageOn(model, unit);
    deployerFor(deployers, unit).check(unit, source);
  });

  const targets = [...new Set(units.map((unit) => unit.target))];
  const selectedTargets = options.targets ?? [...deployers.keys()];
  const planTargets = options.deletes ? [...new Set([...targets, ...selectedTargets])] : targets;
  const perTarget = await Promise.all(
    planTargets.map(async (target) => {
      const deployer = deployers.get(target);
      if (!deployer) return [];
      const targetUnits = units.filter((unit) => unit.target === target);
      const observed = await deployer.observe(targetUnits);
      const steps: PlannedStep[] = [];
      const refusals: string[] = [];
      for (const unit of targetUnits) {
        const source = sources[units.indexOf(unit)] as ResolvedSource;
        const decision = decide(
          deployer.desired(unit, source),
          observed.get(unit.fn.name) ?? { exists: false },
        );
        if ('refuse' in decision) {
          refusals.push(`${unit.fn.name} on ${target}: ${decision.refuse}`);
          continue;
        }
        steps.push({
          row: { function: unit.fn.key, name: unit.fn.name, target, ...decision, digest: source.digest },
          unit,
          source,
        });
      }
      if (refusals.length) {
        throw new UserError(`refusing to deploy, nothing was changed:\n  ${refusals.join('\n  ')}`, {
          hint: 'Rename the function (functions.<name>.name) or remove the other resource first.',
        });
      }
      if (options.deletes) {
        // Owned functions this target no longer declares (gone from the file, or from its targets).
        const declared = new Set(targetUnits.map((unit) => unit.fn.name));
        for (const name of await deployer.listOwned(declared)) {
          steps.push({
            row: {
              function: name,
              name,
              target,
              action: 'delete',
              reason: 'no longer in serverless.yml (owned by this service and stage)',
              changes: NO_CHANGES,
            },
          });
        }
      }
      return steps;
    }),
  );
  const steps = perTarget.flat();
  return { steps, rows: steps.map((step) => step.row) };
}

function deployerFor(deployers: Map<Cloud, TargetDeployer>, unit: DeployUnit): TargetDeployer {
  const deployer = deployers.get(unit.target);
  if (!deployer) {
    throw new UserError(
      `functions.${unit.fn.key} targets ${unit.target}, which this version of faasport cannot deploy to yet`,
      {
        hint: 'Deploy the other targets with --target aws, or drop the target from the function.',
        exitCode: 2,
      },
    );
  }
  return deployer;
}

/** Cloud Functions gen2 builds from source: an image cannot be deployed there (artifact/clouds.ts). */
function refuseImageOn(model: ServiceModel, unit: DeployUnit): void {
  if (unit.target !== 'gcp') return;
  throw new UserError(
    `${model.configFile}: ${unit.path}: ${unit.written} is a container image, and Google Cloud Functions gen2 takes only source (a zip artefact)`,
    {
      hint: "Publish a zip artefact for gcp (sourceArtifact.gcp), or drop gcp from the function's targets.",
      exitCode: 2,
    },
  );
}

/** `packageType` written in serverless.yml must agree with the manifest (docs/architecture.md, the artefact contract). */
function checkPackageType(model: ServiceModel, unit: DeployUnit, source: ResolvedSource): void {
  if (unit.packageType && unit.packageType !== source.shape) {
    throw new UserError(
      `${model.configFile}: functions.${unit.fn.key}.packageType is ${unit.packageType}, but ${unit.written} is a ${source.shape === 'zip' ? 'zip artefact' : 'container image'}`,
      {
        hint: `Set packageType: ${source.shape} (or remove it: the shape is detected), or point sourceArtifact at a ${unit.packageType}.`,
        exitCode: 2,
      },
    );
  }
}
