import { v2 } from '@google-cloud/functions';
import { Storage, type StorageOptions } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
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

/** An access token that never expires nor refreshes: the local plane's own. */
function localToken(token: string): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, expiry_date: Date.now() + 365 * 24 * 3_600_000 });
  return client;
}

/**
 * The same token for the storage client, which bundles an older google-auth-library: it wraps what
 * it is given in its own GoogleAuth, which only asks for the request headers.
 */
function storageToken(token: string): StorageOptions['authClient'] {
  const headers = { getRequestHeaders: async () => ({ Authorization: `Bearer ${token}` }) };
  // biome-ignore lint/suspicious/noExplicitAny: a duck-typed client for another copy of the library's types
  return headers as any;
}

function lazy<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/**
 * The official clients, unmodified: Application Default Credentials against Google Cloud, or — for
 * the local control plane — the Functions client's REST fallback over plain HTTP with the plane's
 * token (from its cloud file) as the access token, and a storage client whose `apiEndpoint` is the
 * plane, asked to send that token too, so nothing process-wide like STORAGE_EMULATOR_HOST is set.
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
  const authClient = localToken(local.auth.token);
  return {
    functions: new v2.FunctionServiceClient({
      fallback: true,
      protocol: 'http',
      apiEndpoint: url.hostname,
      port: Number(url.port),
      authClient,
    }),
    storage: lazy(
      () =>
        new Storage({
          apiEndpoint: url.origin,
          useAuthWithCustomEndpoint: true,
          authClient: storageToken(local.auth.token),
          retryOptions: LOCAL_STORAGE_RETRIES,
        }),
    ),
    local: true,
    ready: async () => undefined,
  };
}
