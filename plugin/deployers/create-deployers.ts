import type { Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import type { ServiceModel } from '../../common/service/service-model';
import type { LocalCloudEndpoints } from '../../local-cloud/cloud-file';
import type { SourceResolver } from '../planner/source-resolver';
import { awsClients } from './aws/aws-clients';
import { AwsDeployer } from './aws/aws-deployer';
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

/** The region of the AWS target: provider.targets.aws.region, the local cloud's, or AWS_REGION. */
function awsRegion(context: DeployerContext): string {
  const configured = context.model.targets.aws?.region;
  const region =
    (typeof configured === 'string' ? configured : undefined) ??
    context.local?.aws.region ??
    context.env.AWS_REGION ??
    context.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new UserError(`${context.model.configFile}: provider.targets.aws.region is not set`, {
      hint: 'Set it (e.g. us-east-1), or export AWS_REGION.',
      exitCode: 2,
    });
  }
  return region;
}

/** A deployer per target that some function uses (or `--target` names). No client makes a call here. */
export function createDeployers(context: DeployerContext): Map<Cloud, TargetDeployer> {
  const used = new Set(context.model.functions.flatMap((fn) => fn.targets));
  const wanted = (target: Cloud) =>
    (used.has(target) || context.model.targets[target] !== undefined) &&
    (!context.targets || context.targets.includes(target));
  const deployers = new Map<Cloud, TargetDeployer>();
  if (wanted('aws')) {
    deployers.set(
      'aws',
      new AwsDeployer({
        model: context.model,
        clients: awsClients(awsRegion(context), context.local),
        resolver: context.resolver,
        env: context.env,
      }),
    );
  }
  const azure = wanted('azure') ? createAzureDeployer(context) : undefined;
  if (azure) deployers.set('azure', azure);
  const gcp = wanted('gcp') ? createGcpDeployer(context) : undefined;
  if (gcp) deployers.set('gcp', gcp);
  return deployers;
}
