import { v2 } from '@google-cloud/functions';
import { Storage } from '@google-cloud/storage';
import { PassThroughClient } from 'google-auth-library';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';

export interface GcpClients {
  functions: v2.FunctionServiceClient;
  /** Cloud Storage, for sources staged in a bucket of one's own; made on first use. */
  storage(): Storage;
  /** Talking to the local control plane: quicker polling, plain HTTP for function URLs. */
  local: boolean;
  /**
   * Resolves once the credentials are found (at once for the local plane). Run before any call:
   * the Functions client, when its first call cannot find credentials, also leaves that error
   * as an unhandled rejection that ends the process with a stack trace.
   */
  ready(): Promise<void>;
}

/** The local plane answers at once: retry its storage calls quickly (seconds, as the client counts). */
const LOCAL_STORAGE_RETRIES = {
  maxRetries: 3,
  retryDelayMultiplier: 1.5,
  maxRetryDelay: 1,
  totalTimeout: 30,
};

function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/**
 * The official clients, unmodified: Application Default Credentials against Google Cloud, or — for
 * the local control plane — the Functions client's REST fallback over plain HTTP with no Google
 * credentials, and a storage client whose `apiEndpoint` is the plane (a custom endpoint sends no
 * credentials unless asked to), so nothing process-wide like STORAGE_EMULATOR_HOST is set.
 */
export function gcpClients(local: LocalCloudEndpoints | undefined): GcpClients {
  if (!local?.gcp) {
    const functions = new v2.FunctionServiceClient();
    return {
      functions,
      storage: lazy(() => new Storage()),
      local: false,
      ready: lazy(async () => {
        await functions.auth.getClient();
      }),
    };
  }
  const url = new URL(local.gcp.functions);
  return {
    functions: new v2.FunctionServiceClient({
      fallback: true,
      protocol: 'http',
      apiEndpoint: url.hostname,
      port: Number(url.port),
      authClient: new PassThroughClient(),
    }),
    storage: lazy(() => new Storage({ apiEndpoint: url.origin, retryOptions: LOCAL_STORAGE_RETRIES })),
    local: true,
    ready: async () => undefined,
  };
}
