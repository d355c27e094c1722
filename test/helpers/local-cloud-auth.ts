import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { StorageOptions } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';
import { type CloudAuth, generateCloudAuth } from '../../local-cloud/auth/cloud-auth';
import type { PlaneAccess } from '../../local-cloud/control-plane-server';

/** What a plane started alone (not through startLocalCloud) checks: fresh credentials, loopback only. */
export function planeAccess(auth: CloudAuth = generateCloudAuth()): PlaneAccess {
  return { auth, allowedHosts: [] };
}

/** The AWS SDK credentials the Lambda and S3 planes take. */
export function awsCredentials(auth: CloudAuth): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey };
}

/** The Azure SDK credential the ARM plane takes. */
export function azureToken(auth: CloudAuth): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({
      token: auth.token,
      expiresOnTimestamp: Date.now() + 3_600_000,
    }),
  };
}

/** The Google auth client the Cloud Functions plane takes. */
export function googleToken(auth: CloudAuth): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: auth.token, expiry_date: Date.now() + 3_600_000 });
  return client;
}

/** `Authorization` for raw requests to a plane's bearer-token routes (and the request log). */
export function bearerHeader(auth: CloudAuth): { authorization: string } {
  return { authorization: `Bearer ${auth.token}` };
}

/** The same token for @google-cloud/storage, which wraps any client exposing request headers. */
export function storageToken(auth: CloudAuth): StorageOptions['authClient'] {
  const client = { getRequestHeaders: async () => ({ Authorization: `Bearer ${auth.token}` }) };
  // biome-ignore lint/suspicious/noExplicitAny: storage bundles another copy of google-auth-library's types
  return client as any;
}
