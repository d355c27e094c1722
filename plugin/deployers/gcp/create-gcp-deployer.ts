import type { DeployerContext } from '../create-deployers';
import type { TargetDeployer } from '../target-deployer';

/**
 * The Google Cloud Functions deployer for this service. Placeholder until issue 5: none yet, so the
 * planner refuses functions that target it, before any call.
 */
export function createGcpDeployer(_context: DeployerContext): TargetDeployer | undefined {
  return undefined;
}
