import type { DeployedSite } from './deployed-site';

/** Where the local ARM plane serves each deployed app: `<arm>/__faasport/cloud/azure/sites/<app>/api/…`. */
export const SITE_URL_PATH = '/__faasport/cloud/azure/sites';

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

/** `host:port/__faasport/cloud/azure/sites/<app>`: the app's base, without a scheme, as `defaultHostName` carries it. */
export function localSiteHost(armUrl: string, name: string): string {
  return `${new URL(armUrl).host}${SITE_URL_PATH}/${name.toLowerCase()}`;
}
