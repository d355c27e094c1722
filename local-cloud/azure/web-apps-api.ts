import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudError } from '../cloud-error';
import {
  type CloudApi,
  type CloudRequest,
  type CloudResponse,
  type CloudRoute,
  cloudRoute,
  openRoute,
} from '../control-plane-server';
import type { AzureInvoker, SiteRequest } from '../invokers';
import {
  armErrorResponse,
  authenticateArm,
  badRequest,
  conflict,
  internalError,
  notFound,
  throttled,
} from './arm-errors';
import type { AzureCloudBehaviour } from './azure-faults';
import { type DeployedSite, siteId, siteResource } from './deployed-site';
import { fetchRunFromPackage } from './run-from-package';
import type { SiteRecords } from './site-records';
import { localSiteHost, SITE_URL_PATH } from './site-url';

export interface WebAppsApiOptions {
  behaviour: AzureCloudBehaviour;
  records?: SiteRecords;
  /** Origin of the blob endpoint packages may be fetched from (the rig's Azurite). */
  blobOrigin?: string;
  /**
   * Runs deployed apps behind `<arm>/__faasport/cloud/azure/sites/<app>/…`; with it, a site's
   * `defaultHostName` names that place. Without it the URL answers 501.
   */
  invoker?: AzureInvoker;
  /** The server's own base URL, for `Azure-AsyncOperation` and `nextLink` (known once it listens). */
  baseUrl(): string;
}

type OperationStatus = 'InProgress' | 'Succeeded' | 'Failed';

interface Operation {
  id: string;
  status: OperationStatus;
  siteKey: string;
  startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
}

interface Entry {
  site: DeployedSite;
  /** The site's running asynchronous operation: other writes get 409 meanwhile. */
  busy?: Operation;
  saving: Promise<void>;
  /** The package the app last started from (read back from the records after a restore). */
  zip?: Buffer;
}

/** Request body of a site PUT/PATCH, as the SDK serialises it (fields under `properties`). */
interface SiteInput {
  location?: string;
  kind?: string;
  tags?: Record<string, string>;
  identity?: { type?: string };
  properties?: Record<string, unknown> & {
    siteConfig?: Record<string, unknown> & { appSettings?: Array<{ name?: string; value?: string }> };
  };
}

const SITE =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites';
const SITE_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/;
const BODY_LIMIT = 4 * 1024 * 1024;
/** What a site's local URL answers (HEAD and OPTIONS reach the app too, as on Azure). */
const SITE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const INVOKE = 'InvokeSite';

/**
 * The Microsoft.Web sites subset the faasport deployer calls, with ARM's documented behaviour:
 * a site PUT answers 201/200 with `Azure-AsyncOperation` and stays `InProgress` until the
 * operation ends; other writes on the site meanwhile get 409; app settings are their own resource
 * (list = POST, write = PUT that replaces all); every app (re)start fetches its run-from-package
 * URL. Faults of `AzureCloudBehaviour` are injected before any state change.
 */
export class WebAppsApi {
  private readonly sites = new Map<string, Entry>();
  private readonly operations = new Map<string, Operation>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: WebAppsApiOptions) {}

  /** Reloads what a previous run recorded: operations finished long ago. */
  async restore(): Promise<void> {
    for (const site of (await this.options.records?.load()) ?? []) {
      if (site.properties.provisioningState === 'InProgress') site.properties.provisioningState = 'Succeeded';
      this.sites.set(keyOf(site.subscriptionId, site.resourceGroup, site.name), {
        site,
        saving: Promise.resolve(),
      });
    }
  }

  /** What is deployed now (tests and the emulator): copies, app settings included. */
  list(): DeployedSite[] {
    return [...this.sites.values()].map((entry) => structuredClone(entry.site));
  }

  /** Where a site's last fetched package is kept (with a state folder). */
  packageFile(site: DeployedSite): string | undefined {
    return this.options.records ? join(this.options.records.folder(site), 'package.zip') : undefined;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.sites.values()].map((entry) => entry.saving));
  }

  api(): CloudApi {
    const r = cloudRoute;
    const routes = [
      r('GET', SITE, 'ListSitesByResourceGroup', false, (q) => this.listSites(q)),
      r('GET', `${SITE}/{name}`, 'GetSite', false, (q) => ({
        status: 200,
        json: this.resource(this.find(q).site),
      })),
      r('PUT', `${SITE}/{name}`, 'CreateOrUpdateSite', true, (q) => this.put(q)),
      r('PATCH', `${SITE}/{name}`, 'UpdateSite', true, (q) => this.patch(q)),
      r('DELETE', `${SITE}/{name}`, 'DeleteSite', true, (q) => this.delete(q)),
      // A POST that reads: not a write (a no-op redeploy makes it and must count zero writes).
      r('POST', `${SITE}/{name}/config/appsettings/list`, 'ListApplicationSettings', false, (q) =>
        this.appSettingsResponse(this.find(q).site),
      ),
      r('PUT', `${SITE}/{name}/config/appsettings`, 'UpdateApplicationSettings', true, (q) =>
        this.putAppSettings(q),
      ),
      r('POST', `${SITE}/{name}/syncfunctiontriggers`, 'SyncFunctionTriggers', true, (q) => {
        this.writable(this.find(q));
        return { status: 204 };
      }),
      r(
        'GET',
        '/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/operations/{operationId}',
        'GetOperationStatus',
        false,
        (q) => this.operationStatus(q),
      ),
      ...SITE_METHODS.flatMap((method) => [
        // An app's own URL follows its functions' auth level, not ARM's: served like the gateway.
        openRoute(r(method, `${SITE_URL_PATH}/{site}`, INVOKE, false, (q) => this.invoke(q))),
        openRoute(r(method, `${SITE_URL_PATH}/{site}/{path+}`, INVOKE, false, (q) => this.invoke(q))),
      ]),
    ];
    return {
      provider: 'azure',
      routes,
      bodyLimit: BODY_LIMIT,
      tooLarge: () => new CloudError(413, 'RequestEntityTooLarge', 'The request body is too large.'),
      errorResponse: armErrorResponse,
      authenticate: (request, auth) => authenticateArm(request.headers.authorization, auth),
      beforeCall: (route, request) => this.beforeCall(route, request),
    };
  }

  private beforeCall(route: CloudRoute, request: CloudRequest): void {
    // An app's own URL is not ARM: no api-version, and ARM's injected faults do not reach it.
    if (route.operation === INVOKE) return;
    if (!request.query.get('api-version')) {
      throw badRequest(
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const behaviour = this.options.behaviour;
    if (behaviour.throttleNext > 0) {
      behaviour.throttleNext -= 1;
      throw throttled(behaviour.throttleRetryAfterSeconds);
    }
    if (behaviour.serverErrorNext > 0) {
      behaviour.serverErrorNext -= 1;
      throw internalError();
    }
    if (route.write && behaviour.conflictNext > 0) {
      behaviour.conflictNext -= 1;
      throw conflict(request.params.name ?? '');
    }
  }

  private find(request: CloudRequest): Entry {
    const { subscriptionId = '', resourceGroupName = '', name = '' } = request.params;
    const entry = this.sites.get(keyOf(subscriptionId, resourceGroupName, name));
    if (!entry) throw notFound('Microsoft.Web/sites', name, resourceGroupName);
    return entry;
  }

  /** A write on a site whose operation is still running gets 409, as ARM's resource lock does. */
  private writable(entry: Entry): void {
    if (entry.busy?.status === 'InProgress') throw conflict(entry.site.name);
  }

  private parse(request: CloudRequest): SiteInput {
    try {
      const parsed: unknown = JSON.parse(request.body.toString('utf8') || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      return parsed as SiteInput;
    } catch {
      throw badRequest(
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    }
  }

  private listSites(request: CloudRequest): CloudResponse {
    const { subscriptionId = '', resourceGroupName = '' } = request.params;
    const prefix = keyOf(subscriptionId, resourceGroupName, '');
    const all = [...this.sites]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, entry]) => entry.site)
      .sort((a, b) => a.name.localeCompare(b.name));
    const skip = Number(request.query.get('$skipToken') ?? '0') || 0;
    const size = Math.max(1, this.options.behaviour.pageSize);
    const page = all.slice(skip, skip + size);
    const next = new URLSearchParams(request.query);
    next.set('$skipToken', String(skip + size));
    return {
      status: 200,
      json: {
        value: page.map((site) => this.resource(site)),
        ...(skip + size < all.length
          ? { nextLink: `${this.options.baseUrl()}${request.path}?${next.toString()}` }
          : {}),
      },
    };
  }

  private async put(request: CloudRequest): Promise<CloudResponse> {
    const { subscriptionId = '', resourceGroupName = '', name = '' } = request.params;
    if (!SITE_NAME.test(name)) {
      throw badRequest(
        'InvalidResourceName',
        `The site name '${name}' is invalid: 2 to 60 letters, digits and hyphens, starting and ending with a letter or digit.`,
      );
    }
    const input = this.parse(request);
    if (!input.location)
      throw badRequest('LocationRequired', 'The location property is required for this definition.');
    const properties = { ...(input.properties ?? {}) };
    if (typeof properties.serverFarmId !== 'string' || !properties.serverFarmId) {
      throw badRequest(
        'BadRequest',
        'properties.serverFarmId is required: the App Service plan to run the app on.',
      );
    }
    const key = keyOf(subscriptionId, resourceGroupName, name);
    const existing = this.sites.get(key);
    if (existing) this.writable(existing);
    if (existing && existing.site.location.toLowerCase() !== input.location.toLowerCase()) {
      throw badRequest(
        'LocationNotAvailableForResourceType',
        `The site ${name} exists in ${existing.site.location}; its location cannot change to ${input.location}.`,
      );
    }
    const { appSettings, ...siteConfig } = properties.siteConfig ?? {};
    const settings =
      appSettings !== undefined
        ? Object.fromEntries(appSettings.map((s) => [String(s.name ?? ''), String(s.value ?? '')]))
        : (existing?.site.appSettings ?? {});
    const asynchronous = this.options.behaviour.provisioningMs > 0;
    const site: DeployedSite = {
      subscriptionId,
      resourceGroup: existing?.site.resourceGroup ?? resourceGroupName,
      name: existing?.site.name ?? name,
      location: input.location,
      kind: input.kind ?? 'app',
      tags: input.tags ?? {},
      identity: identityOf(input.identity, existing?.site.identity),
      properties: {
        ...properties,
        siteConfig,
        state: 'Running',
        defaultHostName: `${name.toLowerCase()}.azurewebsites.net`,
        hostNames: [`${name.toLowerCase()}.azurewebsites.net`],
        provisioningState: asynchronous ? 'InProgress' : 'Succeeded',
        lastModifiedTimeUtc: new Date().toISOString(),
      },
      appSettings: settings,
      restarts: existing?.site.restarts ?? 0,
      package: existing?.site.package,
    };
    const entry: Entry = existing ?? { site, saving: Promise.resolve() };
    entry.site = site;
    this.sites.set(key, entry);
    const status = existing ? 200 : 201;
    if (!asynchronous) {
      await this.restart(entry);
      return { status, json: this.resource(site) };
    }
    const operation: Operation = {
      id: randomUUID(),
      status: 'InProgress',
      siteKey: key,
      startTime: new Date().toISOString(),
    };
    this.operations.set(operation.id, operation);
    entry.busy = operation;
    this.persist(entry);
    const fail = this.options.behaviour.failNextOperations > 0;
    if (fail) this.options.behaviour.failNextOperations -= 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.finish(entry, operation, fail);
    }, this.options.behaviour.provisioningMs);
    this.timers.add(timer);
    const location = encodeURIComponent(site.location.replace(/\s+/g, '').toLowerCase());
    return {
      status,
      json: this.resource(site),
      headers: {
        'azure-asyncoperation': `${this.options.baseUrl()}/subscriptions/${subscriptionId}/providers/Microsoft.Web/locations/${location}/operations/${operation.id}?api-version=${request.query.get('api-version')}`,
      },
    };
  }

  /** The end of a site PUT's operation: the app starts (its package fetched), or it failed. */
  private async finish(entry: Entry, operation: Operation, fail: boolean): Promise<void> {
    if (fail) {
      operation.error = {
        code: 'SiteProvisioningFailed',
        message: `Provisioning of site ${entry.site.name} failed: the worker could not be allocated (injected failure). Retry the operation.`,
      };
      entry.site.properties.provisioningState = 'Failed';
    } else {
      await this.restart(entry, false);
      entry.site.properties.provisioningState = 'Succeeded';
    }
    operation.status = fail ? 'Failed' : 'Succeeded';
    operation.endTime = new Date().toISOString();
    entry.busy = undefined;
    this.persist(entry);
  }

  private operationStatus(request: CloudRequest): CloudResponse {
    const operation = this.operations.get(request.params.operationId ?? '');
    if (!operation) {
      throw new CloudError(
        404,
        'OperationNotFound',
        `Operation ${request.params.operationId} was not found.`,
      );
    }
    const retryAfter = this.options.behaviour.pollRetryAfterSeconds;
    return {
      status: 200,
      json: {
        id: request.path,
        name: operation.id,
        status: operation.status,
        startTime: operation.startTime,
        ...(operation.endTime ? { endTime: operation.endTime } : {}),
        ...(operation.error ? { error: operation.error } : {}),
      },
      headers:
        operation.status === 'InProgress' && retryAfter > 0 ? { 'retry-after': String(retryAfter) } : {},
    };
  }

  /** PATCH: tags replace the tags; properties merge (siteConfig too). Synchronous. */
  private async patch(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    this.writable(entry);
    const input = this.parse(request);
    const site = entry.site;
    if (input.tags !== undefined) site.tags = input.tags;
    if (input.kind !== undefined) site.kind = input.kind;
    if (input.properties) {
      const { siteConfig, ...rest } = input.properties;
      Object.assign(site.properties, rest);
      if (siteConfig) {
        const { appSettings: _ignored, ...config } = siteConfig;
        site.properties.siteConfig = { ...(site.properties.siteConfig as object), ...config };
      }
    }
    site.properties.lastModifiedTimeUtc = new Date().toISOString();
    this.persist(entry);
    return { status: 200, json: this.resource(site) };
  }

  private async delete(request: CloudRequest): Promise<CloudResponse> {
    const { subscriptionId = '', resourceGroupName = '', name = '' } = request.params;
    const key = keyOf(subscriptionId, resourceGroupName, name);
    const entry = this.sites.get(key);
    // ARM answers 204 for a resource that is not there: deletes are idempotent.
    if (!entry) return { status: 204 };
    this.writable(entry);
    this.sites.delete(key);
    await entry.saving;
    await this.options.records?.remove(entry.site);
    return { status: 200 };
  }

  private appSettingsResponse(site: DeployedSite): CloudResponse {
    return {
      status: 200,
      json: {
        id: `${siteId(site)}/config/appsettings`,
        name: 'appsettings',
        type: 'Microsoft.Web/sites/config',
        location: site.location,
        properties: site.appSettings,
      },
    };
  }

  /** Replaces every app setting (ARM semantics), then restarts the app as the platform does. */
  private async putAppSettings(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    this.writable(entry);
    let body: { properties?: Record<string, unknown> };
    try {
      body = JSON.parse(request.body.toString('utf8') || '{}') as typeof body;
    } catch {
      throw badRequest(
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    }
    const properties = body.properties ?? {};
    for (const [name, value] of Object.entries(properties)) {
      if (typeof value !== 'string') {
        throw badRequest('BadRequest', `App setting ${name} must be a string, not ${typeof value}.`);
      }
    }
    entry.site.appSettings = properties as Record<string, string>;
    await this.restart(entry);
    return this.appSettingsResponse(entry.site);
  }

  /** An app (re)start: what the platform does after a settings change or a completed PUT. */
  private async restart(entry: Entry, save = true): Promise<void> {
    const fetched = await fetchRunFromPackage(entry.site.appSettings, this.options.blobOrigin);
    entry.site.restarts += 1;
    entry.zip = fetched.zip;
    entry.site.package =
      fetched.package && 'sha256' in fetched.package
        ? { ...fetched.package, file: this.packageFile(entry.site) }
        : fetched.package;
    if (save || fetched.zip) this.persist(entry, fetched.zip);
  }

  /**
   * The site as ARM answers it. When the plane runs apps, `defaultHostName` is where this one is
   * served (`127.0.0.1:<port>/__faasport/cloud/azure/sites/<app>`), so `https://<defaultHostName>/api/…`
   * reaches it as it would reach `<app>.azurewebsites.net`; `hostNames` keep the cloud's names.
   */
  private resource(site: DeployedSite): Record<string, unknown> {
    const resource = siteResource(site);
    if (!this.options.invoker) return resource;
    const properties = {
      ...site.properties,
      defaultHostName: localSiteHost(this.options.baseUrl(), site.name),
    };
    return { ...resource, properties };
  }

  /** A request to a deployed app's local URL: run on the emulator through the invoker. */
  private async invoke(request: CloudRequest): Promise<CloudResponse> {
    const name = (request.params.site ?? '').toLowerCase();
    const entry = [...this.sites.values()].find((e) => e.site.name.toLowerCase() === name);
    if (!entry) throw new CloudError(404, 'SiteNotFound', `The app ${name} does not exist here.`);
    const { site } = entry;
    if (site.properties.state !== 'Running' || site.properties.provisioningState === 'Failed') {
      throw new CloudError(503, 'SiteUnavailable', `The app ${site.name} is not running.`);
    }
    const invoker = this.options.invoker;
    if (!invoker) {
      throw new CloudError(
        501,
        'NotImplemented',
        'This local control plane records deployed apps but does not run them; start it with `faasport emulate --cloud`.',
      );
    }
    if (!site.package) {
      throw new CloudError(
        501,
        'NotImplemented',
        `The app ${site.name} has no WEBSITE_RUN_FROM_PACKAGE URL: only zip apps run locally (not containers).`,
      );
    }
    if ('error' in site.package) {
      throw new CloudError(
        503,
        'FunctionHostNotRunning',
        `Function host is not running: the package ${site.package.url} was ${site.package.error}.`,
      );
    }
    entry.zip ??= site.package.file ? await readFile(site.package.file).catch(() => undefined) : undefined;
    if (!entry.zip) {
      throw new CloudError(
        503,
        'FunctionHostNotRunning',
        'Function host is not running: its package is gone.',
      );
    }
    const rest = request.params.path ?? '';
    const siteRequest: SiteRequest = {
      method: request.method,
      path: `/${rest}`,
      rawQuery: request.query.toString(),
      headers: Object.entries(request.headers).flatMap(([key, value]) =>
        value === undefined
          ? []
          : (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, v]),
      ),
      body: request.body,
    };
    const response = await invoker(structuredClone(site), entry.zip, siteRequest);
    // One value per header here (the server's record); repeated headers are joined, as HTTP allows.
    const headers: Record<string, string> = {};
    for (const [key, value] of response.headers) {
      const lower = key.toLowerCase();
      headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
    }
    return { status: response.status, body: response.body, headers };
  }

  private persist(entry: Entry, zip?: Buffer): void {
    const records = this.options.records;
    if (!records) return;
    const snapshot = structuredClone(entry.site);
    entry.saving = entry.saving.then(() => records.save(snapshot, zip)).catch(() => undefined);
  }
}

function keyOf(subscriptionId: string, resourceGroup: string, name: string): string {
  // ARM names are case-insensitive.
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}

function identityOf(
  input: SiteInput['identity'],
  existing: DeployedSite['identity'],
): DeployedSite['identity'] {
  const type = input?.type;
  if (!type || type === 'None') return undefined;
  if (!type.includes('SystemAssigned')) return { type };
  return {
    type,
    principalId: existing?.principalId ?? randomUUID(),
    tenantId: existing?.tenantId ?? '00000000-0000-0000-0000-000000000000',
  };
}
