import { UserError } from '../../../common/errors';
import type { DeployerContext } from '../create-deployers';
import type { TargetDeployer } from '../target-deployer';
import { explainingErrors } from '../user-errors';
import { awsClients } from './aws-clients';
import { AwsDeployer } from './aws-deployer';
import { awsErrorExplainer } from './aws-errors';
import { localPlaceholderRole } from './aws-settings';

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

/**
 * The AWS Lambda deployer for this service: its region settled (before any call), then the clients;
 * the SDK's errors a user can act on become UserErrors (aws-errors.ts).
 */
export function createAwsDeployer(context: DeployerContext): TargetDeployer {
  const region = awsRegion(context);
  const deployer = new AwsDeployer({
    model: context.model,
    clients: awsClients(region, context.local),
    resolver: context.resolver,
    env: context.env,
    ...(context.local ? { localRole: localPlaceholderRole(context.local.aws.accountId) } : {}),
  });
  const localEndpoint = context.local?.aws.lambda;
  return explainingErrors(deployer, awsErrorExplainer({ region, localEndpoint }), { localEndpoint });
}
