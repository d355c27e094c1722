import { WebSiteManagementClient } from '@azure/arm-appservice';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { UserError } from '../../../common/errors';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';

/** How the deployed apps reach their package blob and the host's storage. */
export type StorageAccess =
  /** Local cloud: Azurite's shared key signs a read SAS; AzureWebJobsStorage is its connection string. */
  | {
      kind: 'shared-key';
      account: string;
      /** Azurite's well-known development key: for the connection string, never printed. */
      key: string;
      credential: StorageSharedKeyCredential;
      blobEndpoint: string;
    }
  /** Azure: the app's system-assigned identity reads the blob; nothing secret in the settings. */
  | { kind: 'managed-identity'; account: string };

export interface AzureClients {
  web: WebSiteManagementClient;
  /** Created on first use (zip functions only). */
  blobs(): BlobServiceClient;
  storage(): StorageAccess;
  /** Talking to the local control plane: shorter polling and backoff. */
  local: boolean;
}

/** The local plane's bearer token (from its cloud file), never a real credential. */
const localToken = (token: string): TokenCredential => ({
  getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
});

/**
 * The official clients, unmodified: `DefaultAzureCredential` against Azure, or — for the local
 * control plane — its endpoint, its certificate as the only CA (TLS stays verified), the token
 * in its cloud file, and Azurite's shared key for blobs.
 */
export function azureClients(
  subscriptionId: string,
  storageAccount: string | undefined,
  local: LocalCloudEndpoints | undefined,
  configFile: string,
): AzureClients {
  if (local) {
    const azure = local.azure;
    if (!azure) {
      throw new UserError('the local cloud file has no Azure endpoints (it predates the local Azure plane)', {
        hint: 'Restart `faasport emulate --cloud` so it writes .faasport/cloud.json again.',
        exitCode: 2,
      });
    }
    const web = new WebSiteManagementClient(localToken(local.auth.token), subscriptionId, {
      endpoint: azure.arm,
      tlsOptions: { ca: azure.caCert },
    });
    const blob = azure.blob;
    const storage = (): StorageAccess => {
      if (!blob) {
        throw new UserError('the local cloud has no blob endpoint to stage Azure packages in', {
          hint: 'Start Azurite (npx azurite-blob --skipApiVersionCheck --inMemoryPersistence) and restart `faasport emulate --cloud` with FAASPORT_AZURE_BLOB_ENDPOINT=http://127.0.0.1:10000/devstoreaccount1.',
          exitCode: 2,
        });
      }
      return {
        kind: 'shared-key',
        account: blob.account,
        key: blob.key,
        credential: new StorageSharedKeyCredential(blob.account, blob.key),
        blobEndpoint: blob.endpoint,
      };
    };
    let blobs: BlobServiceClient | undefined;
    return {
      web,
      storage,
      blobs: () => {
        const access = storage();
        if (access.kind !== 'shared-key') throw new Error('local storage is shared-key');
        blobs ??= new BlobServiceClient(access.blobEndpoint, access.credential);
        return blobs;
      },
      local: true,
    };
  }
  const credential = new DefaultAzureCredential();
  const storage = (): StorageAccess => {
    if (!storageAccount) {
      throw new UserError(`${configFile}: provider.targets.azure.storageAccount is not set`, {
        hint: 'Zip functions run from a package blob: name the storage account that holds them (and AzureWebJobsStorage).',
        exitCode: 2,
      });
    }
    return { kind: 'managed-identity', account: storageAccount };
  };
  let blobs: BlobServiceClient | undefined;
  return {
    web: new WebSiteManagementClient(credential, subscriptionId),
    storage,
    blobs: () => {
      blobs ??= new BlobServiceClient(`https://${storage().account}.blob.core.windows.net`, credential);
      return blobs;
    },
    local: false,
  };
}
