import { join } from 'node:path';
import { loadService } from '../../../common/service/load-service';
import type { CloudAuth } from '../../../local-cloud/auth/cloud-auth';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import type { GcpLocalEndpoints } from '../../../local-cloud/gcp/gcp-plane';
import { applyPlan } from '../../../plugin/deployers/apply-plan';
import { createDeployers } from '../../../plugin/deployers/create-deployers';
import { makePlan } from '../../../plugin/planner/make-plan';
import { SourceResolver } from '../../../plugin/planner/source-resolver';

/**
 * What `sls deploy` does, in this process: plans the service in `dir` against the local cloud at
 * `local` (deletes included), applies the plan four at a time (its progress lines to `log`), and
 * closes the deployers.
 */
export async function deployService(
  dir: string,
  local: LocalCloudEndpoints,
  log: (line: string) => void = () => {},
) {
  const model = await loadService(join(dir, 'serverless.yml'));
  const resolver = new SourceResolver({ serviceDir: model.serviceDir });
  const deployers = createDeployers({ model, resolver, local, env: {} });
  try {
    const plan = await makePlan(model, deployers, resolver, { deletes: true });
    const outcomes = await applyPlan(plan.steps, deployers, { concurrency: 4, log });
    return { plan, outcomes };
  } finally {
    for (const deployer of deployers.values()) deployer.close();
  }
}

/**
 * Local-cloud endpoints with only the Google Cloud plane behind them: the AWS part points at a
 * closed port, which is never called while the service targets gcp alone.
 */
export function gcpOnlyEndpoints(gcp: GcpLocalEndpoints, auth: CloudAuth): LocalCloudEndpoints {
  return {
    aws: {
      region: 'us-east-1',
      accountId: '000000000000',
      lambda: 'http://127.0.0.1:9',
      s3: 'http://127.0.0.1:9',
    },
    gcp,
    auth,
  };
}
