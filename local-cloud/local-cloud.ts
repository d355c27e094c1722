import { join } from 'node:path';
import { allowedHostsFor } from './auth/allowed-hosts';
import { type CloudAuth, generateCloudAuth } from './auth/cloud-auth';
import { type AwsCloudBehaviour, DEFAULT_AWS_BEHAVIOUR } from './aws/aws-faults';
import { FunctionRecords } from './aws/function-records';
import { LambdaApi } from './aws/lambda-api';
import { S3Buckets } from './aws/s3-api';
import { type AzurePlane, type AzurePlaneOptions, startAzurePlane } from './azure/azure-plane';
import type { LocalCloudEndpoints } from './cloud-file';
import type { PlaneContext } from './cloud-plane';
import { ControlPlaneServer, type PlaneAccess, REQUEST_LOG_PATH } from './control-plane-server';
import { type GcpPlane, type GcpPlaneOptions, startGcpPlane } from './gcp/gcp-plane';
import type { LambdaInvoker } from './invokers';
import { type LoggedRequest, RequestLog } from './request-log';

export interface LocalCloudOptions {
  /** Address to bind: 127.0.0.1 unless the user exposed the planes on purpose (`--cloud-host`). */
  host?: string;
  /** What callers must show; made anew when absent (what `emulate --cloud` does at each start). */
  auth?: CloudAuth;
  /** Lambda control-plane port (0 = any free port). */
  lambdaPort?: number;
  s3Port?: number;
  region?: string;
  accountId?: string;
  aws?: Partial<AwsCloudBehaviour>;
  /** Folder where deployed functions are recorded (and restored from on start). */
  stateDir?: string;
  invoker?: LambdaInvoker;
  /** Knobs of the local Azure control plane (ARM + blob staging). */
  azure?: AzurePlaneOptions;
  /** Knobs of the local Cloud Functions control plane. */
  gcp?: GcpPlaneOptions;
}

/** The local control planes, running: endpoints, the request log, the knobs tests turn. */
export interface LocalCloud {
  endpoints: LocalCloudEndpoints;
  /** Mutable: faults and delays apply to the next calls. */
  aws: AwsCloudBehaviour;
  lambda: LambdaApi;
  azurePlane: AzurePlane;
  gcpPlane: GcpPlane;
  /** `[control plane, URL]` rows for a start-up banner, every provider's. */
  bannerRows(): Array<[string, string]>;
  requests(): LoggedRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/**
 * Starts the local control planes of the three clouds (AWS Lambda + the S3 subset, Azure, Google
 * Cloud Functions), bound to 127.0.0.1 by default, sharing one request log.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const behaviour: AwsCloudBehaviour = { ...DEFAULT_AWS_BEHAVIOUR, ...options.aws };
  const log = new RequestLog();
  const auth = options.auth ?? generateCloudAuth();
  const access: PlaneAccess = { auth, allowedHosts: allowedHostsFor(host) };
  const s3 = new S3Buckets();
  let lambdaServer: ControlPlaneServer | undefined;
  const lambda = new LambdaApi({
    region,
    accountId,
    behaviour,
    s3,
    ...(options.stateDir ? { records: new FunctionRecords(join(options.stateDir, 'aws', 'functions')) } : {}),
    ...(options.invoker ? { invoker: options.invoker } : {}),
    baseUrl: () => lambdaServer?.url ?? '',
    auth,
  });
  await lambda.restore();
  lambdaServer = new ControlPlaneServer(lambda.api(), log, access);
  const s3Server = new ControlPlaneServer(s3.api(), log, access);
  await lambdaServer.listen(options.lambdaPort ?? 0, host);
  try {
    await s3Server.listen(options.s3Port ?? 0, host);
  } catch (error) {
    await lambdaServer.close();
    throw error;
  }
  const servers = [lambdaServer, s3Server];
  const context: PlaneContext = {
    host,
    log,
    access,
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  };
  const stopAws = async () => {
    await Promise.all(servers.map((server) => server.close()));
    await lambda.close();
  };
  let azurePlane: AzurePlane | undefined;
  let gcpPlane: GcpPlane | undefined;
  try {
    azurePlane = await startAzurePlane(context, options.azure);
    gcpPlane = await startGcpPlane(context, options.gcp);
  } catch (error) {
    await azurePlane?.stop();
    await stopAws();
    throw error;
  }
  const endpoints: LocalCloudEndpoints = {
    aws: { region, accountId, lambda: lambdaServer.url, s3: s3Server.url },
    azure: azurePlane.endpoints,
    gcp: gcpPlane.endpoints,
    auth,
  };
  // What any local caller may learn: where the planes are, never their credentials.
  const { auth: _secret, ...published } = endpoints;
  for (const server of servers) server.describe(published);
  azurePlane.describe(published);
  gcpPlane.describe(published);
  const planes = [azurePlane, gcpPlane];
  return {
    endpoints,
    aws: behaviour,
    lambda,
    azurePlane,
    gcpPlane,
    bannerRows: () => [
      ['AWS Lambda', lambdaServer.url],
      ['AWS S3 (staging)', s3Server.url],
      ...planes.flatMap((plane) => plane.bannerRows),
      ['request log', requestLogUrl(lambdaServer.url)],
    ],
    requests: () => log.list(),
    clearRequests: () => log.clear(),
    async stop() {
      await Promise.all([stopAws(), ...planes.map((plane) => plane.stop())]);
    },
  };
}

/** The request log URL of a control plane. */
export function requestLogUrl(baseUrl: string): string {
  return `${baseUrl}${REQUEST_LOG_PATH}`;
}
