/** Where the local ARM plane serves each deployed app: `<arm>/__faasport/cloud/azure/sites/<app>/api/…`. */
export const SITE_URL_PATH = '/__faasport/cloud/azure/sites';

/** `host:port/__faasport/cloud/azure/sites/<app>`: the app's base, without a scheme, as `defaultHostName` carries it. */
export function localSiteHost(armUrl: string, name: string): string {
  return `${new URL(armUrl).host}${SITE_URL_PATH}/${name.toLowerCase()}`;
}
