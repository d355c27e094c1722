import { UserError } from '../../../common/errors';
import type { DeployerContext } from '../create-deployers';
import type { TargetDeployer } from '../target-deployer';
import { explainingErrors } from '../user-errors';
import { BucketSource } from './bucket-source';
import { gcpClients } from './gcp-clients';
import { GcpDeployer } from './gcp-deployer';
import { gcpErrorExplainer } from './gcp-errors';

/**
 * A setting of provider.targets.gcp, or the first environment variable set. When neither is, a
 * function that deploys to gcp is refused (in `check`, after the planner's own checks of the
 * file), before any call.
 */
function required(
  context: DeployerContext,
  key: 'project' | 'region',
  variables: string[],
  example: string,
): () => string {
  const written = context.model.targets.gcp?.[key];
  const value =
    (typeof written === 'string' ? written : undefined) ??
    variables.map((name) => context.env[name]).find(Boolean);
  return () => {
    if (value) return value;
    throw new UserError(`${context.model.configFile}: provider.targets.gcp.${key} is not set`, {
      hint: `Set it (e.g. ${example}), or export ${variables.join(' or ')}.`,
      exitCode: 2,
    });
  };
}

/** The Google Cloud Functions gen2 deployer for this service. No client makes a call here. */
export function createGcpDeployer(context: DeployerContext): TargetDeployer {
  const project = required(context, 'project', ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT'], 'my-project');
  const region = required(context, 'region', ['GOOGLE_CLOUD_REGION', 'FUNCTION_REGION'], 'europe-west1');
  const clients = gcpClients(context.local);
  const bucket = context.model.targets.gcp?.bucket;
  const deployer = new GcpDeployer({
    model: context.model,
    clients,
    resolver: context.resolver,
    ...(typeof bucket === 'string'
      ? {
          bucket: new BucketSource({
            storage: clients.storage,
            bucket,
            configFile: context.model.configFile,
            project,
          }),
        }
      : {}),
    project,
    region,
  });
  return explainingErrors(deployer, gcpErrorExplainer(), {
    before: clients.ready,
    localEndpoint: context.local?.gcp?.functions,
  });
}
