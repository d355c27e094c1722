import { CloudError } from '../cloud-error';
import type { PlaneContext, RunningPlane } from '../cloud-plane';
import { ControlPlaneServer } from '../control-plane-server';

/** Where the local Google Cloud control plane listens (the `gcp` part of `.faasport/cloud.json`). */
export interface GcpLocalEndpoints {
  /** Cloud Functions v2 REST API (and its operations). */
  functions: string;
}

export type GcpPlaneOptions = Record<string, never>;

export type GcpPlane = RunningPlane<GcpLocalEndpoints>;

/** Checks the `gcp` part of a cloud file; undefined when it is not a valid one. */
export function parseGcpEndpoints(value: unknown): GcpLocalEndpoints | undefined {
  const functions = (value as { functions?: unknown } | null)?.functions;
  return typeof functions === 'string' ? { functions } : undefined;
}

/**
 * Starts the local Cloud Functions v2 control plane. Placeholder until issue 5: it answers every call
 * with a 404 and logs it, so a deployer pointed at it fails loudly.
 */
export async function startGcpPlane(
  context: PlaneContext,
  _options: GcpPlaneOptions = {},
): Promise<GcpPlane> {
  const server = new ControlPlaneServer(
    {
      provider: 'gcp',
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
    endpoints: { functions: server.url },
    bannerRows: [['Cloud Functions v2', server.url]],
    describe: (all) => server.describe(all),
    stop: () => server.close(),
  };
}
