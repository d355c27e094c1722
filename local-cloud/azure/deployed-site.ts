/** What the platform made of a site's run-from-package URL the last time the app (re)started. */
export type SitePackage =
  | { url: string; sha256: string; size: number; file: string | undefined }
  | { url: string; error: string };

/**
 * A function app as the local ARM plane keeps it: the resource as ARM returns it (properties
 * included), plus its app settings (a separate resource: a GET of the site never returns them).
 */
export interface DeployedSite {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  tags: Record<string, string>;
  identity: { type: string; principalId?: string; tenantId?: string } | undefined;
  /** `serverFarmId`, `reserved`, `httpsOnly`, `siteConfig` (without app settings), `provisioningState`, … */
  properties: Record<string, unknown>;
  appSettings: Record<string, string>;
  /** Times the app was (re)started: every app-settings write and every completed site PUT. */
  restarts: number;
  package: SitePackage | undefined;
}

export function siteId(site: Pick<DeployedSite, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${site.subscriptionId}/resourceGroups/${site.resourceGroup}/providers/Microsoft.Web/sites/${site.name}`;
}

/** The site as `GET …/sites/{name}` answers it. */
export function siteResource(site: DeployedSite): Record<string, unknown> {
  return {
    id: siteId(site),
    name: site.name,
    type: 'Microsoft.Web/sites',
    location: site.location,
    kind: site.kind,
    tags: site.tags,
    ...(site.identity ? { identity: site.identity } : {}),
    properties: site.properties,
  };
}
