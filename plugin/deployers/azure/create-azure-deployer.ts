import type { DeployerContext } from '../create-deployers';
import type { TargetDeployer } from '../target-deployer';
import { explainingErrors } from '../user-errors';
import { azureClients } from './azure-clients';
import { AzureDeployer } from './azure-deployer';
import { azureErrorExplainer } from './azure-errors';
import { azureTargetSettings } from './azure-settings';

/**
 * The Azure Functions deployer for this service: its target settings checked (a UserError naming
 * the serverless.yml path, before any call), then the official clients for Azure or the local cloud.
 */
export function createAzureDeployer(context: DeployerContext): TargetDeployer {
  const target = azureTargetSettings(context.model, context.env, context.local?.azure);
  const deployer = new AzureDeployer({
    model: context.model,
    target,
    clients: azureClients(
      target.subscriptionId,
      target.storageAccount,
      context.local,
      context.model.configFile,
    ),
    resolver: context.resolver,
  });
  return explainingErrors(deployer, azureErrorExplainer(), { localEndpoint: context.local?.azure?.arm });
}
