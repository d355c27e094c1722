import { join } from 'node:path';
import { formatColumns } from '../common/columns';
import { LOCAL_STATE } from '../common/local-state';
import { writeCloudFile } from './cloud-file';
import type { LocalCloudInvokers } from './invokers';
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
 * With invokers (the emulator's), what is deployed to each plane runs when invoked: Lambda
 * functions through the Invoke API, Cloud Functions at their `url`, Azure apps under their
 * `defaultHostName`.
 */
export async function serveCloud(
  serviceDir: string,
  options: {
    host: string;
    invokers?: LocalCloudInvokers;
    /**
     * The first of four consecutive ports: Lambda, S3 (staging), Azure Resource Manager, Cloud
     * Functions (`faasport emulate --cloud-port`). 0 or absent: any free ports.
     */
    firstPort?: number;
  },
): Promise<ServedCloud> {
  const invokers = options.invokers ?? {};
  const port = (offset: number) => (options.firstPort ? options.firstPort + offset : 0);
  const cloud = await startLocalCloud({
    host: options.host,
    stateDir: join(serviceDir, LOCAL_STATE.cloud),
    lambdaPort: port(0),
    s3Port: port(1),
    ...(invokers.aws ? { invoker: invokers.aws } : {}),
    gcp: { port: port(3), ...(invokers.gcp ? { invoker: invokers.gcp } : {}) },
    azure: { port: port(2), ...(invokers.azure ? { invoker: invokers.azure } : {}) },
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
