import type { DeployedLambdaFunction } from './aws/deployed-function';
import type { DeployedSite } from './azure/deployed-site';
import type { GcpFunctionResource } from './gcp/function-resource';

// How the local control planes run what was deployed to them. local-cloud/ owns these types and
// runs no function code itself: the emulator implements them (emulator/providers/*/deployed-*.ts)
// and emulator/serve.ts hands them to `serveCloud`. An invoker throws a CloudError for what the
// platform would refuse.

/** Runs a deployed function for the Invoke API; absent until the emulator is wired to it. */
export type LambdaInvoker = (
  fn: DeployedLambdaFunction,
  code: Buffer | undefined,
  payload: Buffer,
) => Promise<{ payload: Buffer; functionError?: string }>;

/** Runs a deployed function for its URL; absent until the emulator is wired to it. */
export type GcpInvoker = (
  fn: GcpFunctionResource,
  zip: Buffer | undefined,
  request: {
    method: string;
    /** The path below the function's URL, with its query string (`/` at the URL itself). */
    path: string;
    headers: [string, string][];
    body: Buffer;
  },
) => Promise<{ status: number; body: Buffer; headers: [string, string][] }>;

/** One HTTP request to a deployed app, relative to the app's root (as `<app>.azurewebsites.net` sees it). */
export interface SiteRequest {
  method: string;
  /** Path under the app's root, e.g. `/api/orders/42`; not decoded. */
  path: string;
  rawQuery: string;
  /** Header names as the client sent them, every value in order. */
  headers: [name: string, value: string][];
  body: Buffer;
}

export interface SiteResponse {
  status: number;
  headers: [name: string, value: string][];
  body: Buffer;
}

/**
 * Runs a deployed function app for its local URL: the site (app settings included), the package
 * its WEBSITE_RUN_FROM_PACKAGE pointed to when it last (re)started, and the request. Throws a
 * CloudError for what the platform would refuse. Absent until the emulator is wired to the plane.
 */
export type AzureInvoker = (site: DeployedSite, zip: Buffer, request: SiteRequest) => Promise<SiteResponse>;

/**
 * What runs each cloud's deployed functions (`faasport emulate --cloud`). A plane without its
 * invoker still records deployments, and answers calls to them with 501.
 */
export interface LocalCloudInvokers {
  aws?: LambdaInvoker;
  gcp?: GcpInvoker;
  azure?: AzureInvoker;
}
