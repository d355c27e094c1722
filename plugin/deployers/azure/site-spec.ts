import type { Site } from '@azure/arm-appservice';
import type { SettingValue } from '../../planner/diff';
import type { StorageAccess } from './azure-clients';
import type { AzureFunctionSettings, AzureTargetSettings } from './azure-settings';

export const RUN_FROM_PACKAGE = 'WEBSITE_RUN_FROM_PACKAGE';
/** The app settings faasport wrote last time: the ones a later deploy may remove. */
export const MANAGED_SETTINGS = 'FAASPORT_MANAGED_SETTINGS';
const ACR_HOST = /\.azurecr\.(io|cn|us)$/i;

/** The code of one app: a package blob, or an image by digest. */
export type AppCode =
  | { kind: 'zip'; packageSetting: string }
  /** The image itself is in the site's linuxFxVersion. */
  | { kind: 'image' };

export const imageLinuxFxVersion = (registry: string, repository: string, digest: string) =>
  `DOCKER|${registry}/${repository}@${digest}`;

/** The zip layer digest a run-from-package URL names (`…/sha256-<hex>.zip`): the code fingerprint. */
export function packageDigestOf(url: string | undefined): string | undefined {
  const hex = url ? /\/sha256-([a-f0-9]{64})\.zip(?:\?|$)/.exec(url)?.[1] : undefined;
  return hex ? `sha256:${hex}` : undefined;
}

/** Settings the host needs: extension version, worker, its storage (no secret outside the local cloud). */
export function requiredSettings(
  fn: AzureFunctionSettings,
  storage: StorageAccess | undefined,
): Record<string, string> {
  const settings: Record<string, string> = {
    FUNCTIONS_EXTENSION_VERSION: '~4',
    FUNCTIONS_WORKER_RUNTIME: fn.worker,
  };
  if (storage?.kind === 'shared-key') {
    settings.AzureWebJobsStorage = `DefaultEndpointsProtocol=http;AccountName=${storage.account};AccountKey=${storage.key};BlobEndpoint=${storage.blobEndpoint};`;
  } else if (storage?.kind === 'managed-identity') {
    settings.AzureWebJobsStorage__accountName = storage.account;
  }
  if (fn.functionTimeout) settings.AzureFunctionsJobHost__functionTimeout = fn.functionTimeout;
  return settings;
}

/** The app settings faasport owns on an app (not the package URL: that is the code). */
export function desiredAppSettings(
  fn: AzureFunctionSettings,
  storage: StorageAccess | undefined,
  image: boolean,
): Record<string, string> {
  return {
    ...requiredSettings(fn, storage),
    ...(image ? { WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false' } : {}),
    ...(storage?.kind === 'managed-identity' && !image
      ? { WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: 'SystemAssigned' }
      : {}),
    ...fn.environment,
  };
}

/** Read, merge, write: the existing settings, minus what faasport set before and no longer wants. */
export function mergeAppSettings(
  existing: Record<string, string>,
  desired: Record<string, string>,
  code: AppCode | undefined,
): Record<string, string> {
  const previouslyManaged = (existing[MANAGED_SETTINGS] ?? '').split(',').filter(Boolean);
  const merged = { ...existing };
  for (const name of previouslyManaged) delete merged[name];
  Object.assign(merged, desired);
  if (code?.kind === 'zip') merged[RUN_FROM_PACKAGE] = code.packageSetting;
  if (code?.kind === 'image') delete merged[RUN_FROM_PACKAGE];
  merged[MANAGED_SETTINGS] = Object.keys(desired).sort().join(',');
  return merged;
}

/** The part of a deployed app's settings that the diff compares with `desiredAppSettings`. */
export function observedManagedSettings(settings: Record<string, string>): Record<string, string> {
  const managed = (settings[MANAGED_SETTINGS] ?? '').split(',').filter(Boolean);
  return Object.fromEntries(
    managed.filter((name) => name in settings).map((name) => [name, settings[name] ?? '']),
  );
}

export interface SiteShape {
  kind: string;
  serverFarmId: string;
  linuxFxVersion: string;
  acrUseManagedIdentityCreds: boolean;
}

/** The site-level settings the diff compares (a change means a site PUT). */
export function comparableSite(shape: SiteShape, image: boolean): Record<string, SettingValue> {
  return {
    Kind: shape.kind,
    ServerFarm: shape.serverFarmId.toLowerCase(),
    // An image's linuxFxVersion names its digest: that is the code, compared as the fingerprint.
    ...(image
      ? { AcrManagedIdentity: shape.acrUseManagedIdentityCreds }
      : { LinuxFxVersion: shape.linuxFxVersion }),
  };
}

export function siteShape(
  target: AzureTargetSettings,
  fn: AzureFunctionSettings,
  code: { image: false } | { image: true; registry: string; linuxFxVersion: string },
): SiteShape {
  return code.image
    ? {
        kind: 'functionapp,linux,container',
        serverFarmId: target.planId,
        linuxFxVersion: code.linuxFxVersion,
        acrUseManagedIdentityCreds: ACR_HOST.test(code.registry),
      }
    : {
        kind: 'functionapp,linux',
        serverFarmId: target.planId,
        linuxFxVersion: fn.linuxFxVersion,
        acrUseManagedIdentityCreds: false,
      };
}

/**
 * The site PUT body (the SDK puts these under `properties` on the wire). Without `appSettings`
 * the PUT leaves them as they are: that is how the digest tag is written last (a site PATCH
 * cannot change tags).
 */
export function siteEnvelope(
  target: AzureTargetSettings,
  shape: SiteShape,
  tags: Record<string, string>,
  appSettings: Record<string, string> | undefined,
): Site {
  return {
    location: target.location,
    kind: shape.kind,
    tags,
    identity: { type: 'SystemAssigned' },
    serverFarmId: shape.serverFarmId,
    reserved: true,
    httpsOnly: true,
    siteConfig: {
      linuxFxVersion: shape.linuxFxVersion,
      ...(shape.kind.includes('container')
        ? { acrUseManagedIdentityCreds: shape.acrUseManagedIdentityCreds }
        : {}),
      minTlsVersion: '1.2',
      ftpsState: 'Disabled',
      ...(appSettings
        ? { appSettings: Object.entries(appSettings).map(([name, value]) => ({ name, value })) }
        : {}),
    },
  };
}
