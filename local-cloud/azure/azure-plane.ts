import { join } from 'node:path';
import type { PlaneContext, RunningPlane } from '../cloud-plane';
import { ControlPlaneServer } from '../control-plane-server';
import type { AzureInvoker } from '../invokers';
import { type AzureCloudBehaviour, DEFAULT_AZURE_BEHAVIOUR } from './azure-faults';
import { SiteRecords } from './site-records';
import { SITE_URL_PATH } from './site-url';
import { selfSignedCertificate } from './tls-certificate';
import { WebAppsApi } from './web-apps-api';

/** A blob service to stage packages in: Azurite, with its account and shared key. */
export interface AzureBlobEndpoint {
  /** Account URL, e.g. `http://127.0.0.1:10000/devstoreaccount1`. */
  endpoint: string;
  account: string;
  /** Shared key (Azurite's well-known development key; never a real account's). */
  key: string;
}

/** Where the local Azure control plane listens (the `azure` part of `.faasport/cloud.json`). */
export interface AzureLocalEndpoints {
  /** Azure Resource Manager (Microsoft.Web), over HTTPS. */
  arm: string;
  /** The plane's self-signed certificate (PEM): clients trust it as their CA, nothing else. */
  caCert: string;
  /** Subscription the deployer uses when serverless.yml names none (the plane accepts any). */
  subscriptionId: string;
  /** Blob staging (Azurite); absent when none was configured. */
  blob?: AzureBlobEndpoint;
}

export interface AzurePlaneOptions {
  /** Port of Azure Resource Manager (0 = any free port). */
  port?: number;
  /** Faults and delays; mutable through the returned plane's `behaviour`. */
  behaviour?: Partial<AzureCloudBehaviour>;
  /** Blob staging; default: FAASPORT_AZURE_BLOB_ENDPOINT (Azurite's dev account), else none. */
  blob?: AzureBlobEndpoint;
  /**
   * Runs deployed zip apps behind `<arm>/__faasport/cloud/azure/sites/<app>/api/<route>` (same
   * HTTPS server and certificate as ARM); without it that URL answers 501.
   */
  invoker?: AzureInvoker;
}

export type AzurePlane = RunningPlane<AzureLocalEndpoints> & {
  /** Mutable: faults and delays apply to the next calls. */
  behaviour: AzureCloudBehaviour;
  webApps: WebAppsApi;
};

/** Environment variable naming a running Azurite blob endpoint (account URL) for `emulate --cloud`. */
export const BLOB_ENDPOINT_ENV = 'FAASPORT_AZURE_BLOB_ENDPOINT';
/** Azurite's documented development account: public, identical in every Azurite. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const LOCAL_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

/** The blob endpoint from FAASPORT_AZURE_BLOB_ENDPOINT (an Azurite account URL), if set. */
export function blobEndpointFromEnv(env: NodeJS.ProcessEnv): AzureBlobEndpoint | undefined {
  const value = env[BLOB_ENDPOINT_ENV];
  if (!value) return undefined;
  const url = new URL(value);
  const account = url.pathname.split('/').filter(Boolean)[0] ?? AZURITE_ACCOUNT;
  return { endpoint: `${url.origin}/${account}`, account, key: AZURITE_KEY };
}

/** Checks the `azure` part of a cloud file; undefined when it is not a valid one. */
export function parseAzureEndpoints(value: unknown): AzureLocalEndpoints | undefined {
  const part = value as Partial<Record<keyof AzureLocalEndpoints, unknown>> | null;
  if (!part || typeof part.arm !== 'string' || !part.arm.startsWith('https://')) return undefined;
  if (typeof part.caCert !== 'string' || !part.caCert.includes('BEGIN CERTIFICATE')) return undefined;
  if (typeof part.subscriptionId !== 'string') return undefined;
  const blob = part.blob as Partial<AzureBlobEndpoint> | undefined;
  const blobOk =
    blob === undefined ||
    (typeof blob.endpoint === 'string' && typeof blob.account === 'string' && typeof blob.key === 'string');
  if (!blobOk) return undefined;
  return {
    arm: part.arm,
    caCert: part.caCert,
    subscriptionId: part.subscriptionId,
    ...(blob ? { blob: blob as AzureBlobEndpoint } : {}),
  };
}

/**
 * Starts the local Azure Resource Manager control plane: HTTPS with a certificate made at start
 * (Azure's SDKs send bearer tokens over HTTPS only), the Microsoft.Web sites subset the deployer
 * uses, and the shared request log. Blobs are not served here: the endpoints point at Azurite
 * (the test rig's, or FAASPORT_AZURE_BLOB_ENDPOINT), which the platform's package fetch reads.
 */
export async function startAzurePlane(
  context: PlaneContext,
  options: AzurePlaneOptions = {},
): Promise<AzurePlane> {
  const behaviour: AzureCloudBehaviour = { ...DEFAULT_AZURE_BEHAVIOUR, ...options.behaviour };
  const blob = options.blob ?? blobEndpointFromEnv(process.env);
  const tls = await selfSignedCertificate();
  let server: ControlPlaneServer | undefined;
  const webApps = new WebAppsApi({
    behaviour,
    ...(context.stateDir ? { records: new SiteRecords(join(context.stateDir, 'azure', 'sites')) } : {}),
    ...(blob ? { blobOrigin: new URL(blob.endpoint).origin } : {}),
    ...(options.invoker ? { invoker: options.invoker } : {}),
    baseUrl: () => server?.url ?? '',
  });
  await webApps.restore();
  server = new ControlPlaneServer(webApps.api(), context.log, context.access, tls);
  await server.listen(options.port ?? 0, context.host);
  const running = server;
  const endpoints: AzureLocalEndpoints = {
    arm: running.url,
    caCert: tls.cert,
    subscriptionId: LOCAL_SUBSCRIPTION,
    ...(blob ? { blob } : {}),
  };
  return {
    endpoints,
    behaviour,
    webApps,
    bannerRows: [
      ['Azure Resource Manager', running.url],
      ['Azure blob staging', blob ? blob.endpoint : `none (set ${BLOB_ENDPOINT_ENV})`],
      ...(options.invoker
        ? [['Azure apps (deployed)', `${running.url}${SITE_URL_PATH}/<app>/api/<route>`] as [string, string]]
        : []),
    ],
    describe: (all) => running.describe(all),
    stop: async () => {
      await running.close();
      await webApps.close();
    },
  };
}
