import { v2 } from '@google-cloud/functions';
import { PassThroughClient } from 'google-auth-library';
import type { LocalCloudEndpoints } from '../../../emulator/cloud/cloud-file';

export interface GcpClients {
  functions: v2.FunctionServiceClient;
  /** Talking to the local control plane: quicker polling, plain HTTP for function URLs. */
  local: boolean;
}

/**
 * The official client, unmodified: Application Default Credentials against Google Cloud, or — for
 * the local control plane — its REST fallback over plain HTTP with no Google credentials
 * (cloud-apis.md §4).
 */
export function gcpClients(local: LocalCloudEndpoints | undefined): GcpClients {
  if (!local?.gcp) return { functions: new v2.FunctionServiceClient(), local: false };
  const url = new URL(local.gcp.functions);
  return {
    functions: new v2.FunctionServiceClient({
      fallback: true,
      protocol: 'http',
      apiEndpoint: url.hostname,
      port: Number(url.port),
      authClient: new PassThroughClient(),
    }),
    local: true,
  };
}
