import { CloudError } from '../cloud-error';
import type { PlaneContext, RunningPlane } from '../cloud-plane';
import { ControlPlaneServer } from '../control-plane-server';

/** Where the local Azure control plane listens (the `azure` part of `.faasport/cloud.json`). */
export interface AzureLocalEndpoints {
  /** Azure Resource Manager (Microsoft.Web). */
  arm: string;
}

export type AzurePlaneOptions = Record<string, never>;

export type AzurePlane = RunningPlane<AzureLocalEndpoints>;

/** Checks the `azure` part of a cloud file; undefined when it is not a valid one. */
export function parseAzureEndpoints(value: unknown): AzureLocalEndpoints | undefined {
  const arm = (value as { arm?: unknown } | null)?.arm;
  return typeof arm === 'string' ? { arm } : undefined;
}

/**
 * Starts the local Azure Resource Manager control plane. Placeholder until issue 5: it answers every call
 * with a 404 and logs it, so a deployer pointed at it fails loudly.
 */
export async function startAzurePlane(
  context: PlaneContext,
  _options: AzurePlaneOptions = {},
): Promise<AzurePlane> {
  const server = new ControlPlaneServer(
    {
      provider: 'azure',
      routes: [],
      bodyLimit: 1024 * 1024,
      tooLarge: () => new CloudError(413, 'RequestTooLarge', 'request body too large'),
      errorResponse: (error) => ({
        status: error.status,
        json: { error: { code: error.code, message: error.message } },
      }),
    },
    context.log,
  );
  await server.listen(0, context.host);
  return {
    endpoints: { arm: server.url },
    bannerRows: [['Azure Resource Manager', server.url]],
    describe: (all) => server.describe(all),
    stop: () => server.close(),
  };
}
