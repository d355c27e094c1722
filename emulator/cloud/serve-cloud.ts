import { join } from 'node:path';
import { formatColumns } from '../../common/columns';
import { LOCAL_STATE } from '../../common/local-state';
import type { LambdaInvoker } from './aws/lambda-api';
import type { AzureInvoker } from './azure/site-invoker';
import { writeCloudFile } from './cloud-file';
import type { GcpInvoker } from './gcp/functions-api';
import { type LocalCloud, startLocalCloud } from './local-cloud';

export interface ServedCloud {
  cloud: LocalCloud;
  /** Where the endpoints were written (`<service>/.faasport/cloud.json`). */
  file: string;
  /** The endpoint table for the start-up banner. */
  banner: string;
}

/**
 * Starts the local control planes for a service folder (`faasport emulate --cloud`): deployed
 * functions are recorded under `.faasport/cloud/`, the endpoints go to `.faasport/cloud.json`.
 * With invokers, what is deployed to each plane runs when invoked: Lambda functions through the
 * Invoke API, Cloud Functions at their `url`, Azure apps under their `defaultHostName`.
 */
export async function serveCloud(
  serviceDir: string,
  options: { host: string; invoker?: LambdaInvoker; gcpInvoker?: GcpInvoker; azureInvoker?: AzureInvoker },
): Promise<ServedCloud> {
  const cloud = await startLocalCloud({
    host: options.host,
    stateDir: join(serviceDir, LOCAL_STATE.cloud),
    ...(options.invoker ? { invoker: options.invoker } : {}),
    ...(options.gcpInvoker ? { gcp: { invoker: options.gcpInvoker } } : {}),
    ...(options.azureInvoker ? { azure: { invoker: options.azureInvoker } } : {}),
  });
  try {
    const file = await writeCloudFile(serviceDir, cloud.endpoints);
    const table = formatColumns(['CONTROL PLANE', 'URL'], cloud.bannerRows());
    const banner = `Local cloud (endpoints in ${file}; sls deploy --local-cloud uses them):\n\n${table}\n`;
    return { cloud, file, banner };
  } catch (error) {
    await cloud.stop();
    throw error;
  }
}
