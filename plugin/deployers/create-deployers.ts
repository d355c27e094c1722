import { CLOUDS, type Cloud } from '../../common/clouds';
import type { ServiceModel } from '../../common/service/service-model';
import type { LocalCloudEndpoints } from '../../local-cloud/cloud-file';
import type { SourceResolver } from '../planner/source-resolver';
import { createAwsDeployer } from './aws/create-aws-deployer';
import { createAzureDeployer } from './azure/create-azure-deployer';
import { createGcpDeployer } from './gcp/create-gcp-deployer';
import type { TargetDeployer } from './target-deployer';

export interface DeployerContext {
  model: ServiceModel;
  resolver: SourceResolver;
  local: LocalCloudEndpoints | undefined;
  env: NodeJS.ProcessEnv;
  /** Only these targets (`--target`). */
  targets?: Cloud[];
}

/** Builds one cloud's deployer: settings checked (a UserError naming the file), no call made. */
export type DeployerFactory = (context: DeployerContext) => TargetDeployer;

/** Each cloud's factory: a cloud added to CLOUDS does not compile until it has one here. */
const FACTORIES: Record<Cloud, DeployerFactory> = {
  aws: createAwsDeployer,
  azure: createAzureDeployer,
  gcp: createGcpDeployer,
};

/** A deployer per target that some function uses (or `--target` names). No client makes a call here. */
export function createDeployers(context: DeployerContext): Map<Cloud, TargetDeployer> {
  const used = new Set(context.model.functions.flatMap((fn) => fn.targets));
  const wanted = (target: Cloud) =>
    (used.has(target) || context.model.targets[target] !== undefined) &&
    (!context.targets || context.targets.includes(target));
  const deployers = new Map<Cloud, TargetDeployer>();
  for (const target of CLOUDS) {
    if (wanted(target)) deployers.set(target, FACTORIES[target](context));
  }
  return deployers;
}
