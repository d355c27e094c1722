import { setTimeout as sleep } from 'node:timers/promises';
import type { protos } from '@google-cloud/functions';
import { GoogleAuth } from 'google-auth-library';
import type { PlatformWanted } from '../../../artifact/manifest/platform';
import { UserError } from '../../../common/errors';
import type { ServiceModel } from '../../../common/service/service-model';
import { mapBounded } from '../../planner/bounded';
import type { DeployUnit } from '../../planner/deploy-units';
import type { DesiredSpec, ObservedSpec, SettingValue } from '../../planner/diff';
import type { ResolvedSource } from '../../planner/resolved-source';
import type { SourceResolver } from '../../planner/source-resolver';
import type {
  DeployedInfo,
  InvokeResult,
  PlannedStep,
  StepProgress,
  TargetDeployer,
} from '../target-deployer';
import { notDeployed } from '../user-errors';
import type { BucketSource } from './bucket-source';
import type { GcpClients } from './gcp-clients';
import {
  digestFromLabels,
  digestLabels,
  gcpFunctionId,
  isOwnedBy,
  ownerOf,
  ownershipLabels,
} from './gcp-names';
import { CLOUD_TIMING, isAlreadyExists, isNotFound, LOCAL_TIMING, withGcpRetries } from './gcp-retry';
import { comparableSettings, type GcpSettings, gcpSettings } from './gcp-settings';
import { awaitOperation, type LongRunning, pollSettings } from './operations';
import { uploadSource } from './source-upload';

type CloudFunction = protos.google.cloud.functions.v2.IFunction;
const READ_CONCURRENCY = 10;
/** `updateMask` path of each compared setting (camelCase, the JSON form of a FieldMask). */
const MASK_PATHS: Record<string, string> = {
  Runtime: 'buildConfig.runtime',
  EntryPoint: 'buildConfig.entryPoint',
  Memory: 'serviceConfig.availableMemory',
  Timeout: 'serviceConfig.timeoutSeconds',
  Environment: 'serviceConfig.environmentVariables',
  ServiceAccount: 'serviceConfig.serviceAccountEmail',
  Trigger: 'eventTrigger',
  Description: 'description',
};
const STORAGE_EVENT = 'google.cloud.storage.object.v1.';
const PUBSUB_EVENT = 'google.cloud.pubsub.topic.v1.messagePublished';

export interface GcpDeployerOptions {
  model: ServiceModel;
  clients: GcpClients;
  resolver: SourceResolver;
  /** Sources staged in `provider.targets.gcp.bucket`; without it, through generateUploadUrl. */
  bucket?: BucketSource;
  /** Throw a UserError when serverless.yml and the environment name none. */
  project: () => string;
  region: () => string;
}

/**
 * The Google Cloud Functions gen2 deployer: one getFunction per function to read it; writes are
 * long-running operations awaited within a total timeout. Code, labels (the artefact digest among
 * them) and drifted settings go in one updateFunction with an explicit mask, so they land together
 * or not at all; a FAILED function counts as not yet deployed, so the next run deploys it again.
 */
export class GcpDeployer implements TargetDeployer {
  readonly target = 'gcp' as const;
  private readonly observed = new Map<string, CloudFunction>();
  private readonly settingsCache = new Map<string, GcpSettings>();
  /** Function id → function key, to refuse two functions that map to one id. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly options: GcpDeployerOptions) {}

  private get client() {
    return this.options.clients.functions;
  }

  private get timing() {
    return this.options.clients.local ? LOCAL_TIMING : CLOUD_TIMING;
  }

  private get project(): string {
    return this.options.project();
  }

  private get parent(): string {
    return `projects/${this.project}/locations/${this.options.region()}`;
  }

  private fullName(deployedName: string): string {
    return `${this.parent}/functions/${gcpFunctionId(deployedName)}`;
  }

  private settings(unit: DeployUnit): GcpSettings {
    let settings = this.settingsCache.get(unit.fn.name);
    if (!settings) {
      settings = gcpSettings(this.options.model, unit);
      this.settingsCache.set(unit.fn.name, settings);
    }
    return settings;
  }

  platformFor(): PlatformWanted {
    // Only zip artefacts deploy here; the platform matters to images alone.
    return { os: 'linux', architecture: 'amd64' };
  }

  check(unit: DeployUnit, source?: ResolvedSource): void {
    void this.parent; // project and region are known
    this.settings(unit);
    const id = gcpFunctionId(unit.fn.name);
    const other = this.ids.get(id);
    if (other !== undefined && other !== unit.fn.key) {
      throw new UserError(
        `${this.options.model.configFile}: functions ${other} and ${unit.fn.key} both become the Cloud Functions id ${id}`,
        { hint: 'Give one of them another name (functions.<name>.name).', exitCode: 2 },
      );
    }
    this.ids.set(id, unit.fn.key);
    if (source && source.shape !== 'zip') {
      // The planner refuses images for gcp first (artifact/clouds.ts); this keeps the deployer honest alone.
      throw new UserError(`${unit.path}: Google Cloud Functions gen2 takes only source (a zip artefact)`, {
        exitCode: 2,
      });
    }
  }

  desired(unit: DeployUnit, source: ResolvedSource): DesiredSpec {
    return { digest: source.digest, settings: comparableSettings(this.settings(unit), this.project) };
  }

  async observe(units: DeployUnit[]): Promise<Map<string, ObservedSpec>> {
    const { service, stage } = this.options.model;
    const entries = await mapBounded(
      units,
      READ_CONCURRENCY,
      async (unit): Promise<[string, ObservedSpec]> => {
        const name = unit.fn.name;
        let fn = await this.read(name);
        if (!fn) return [name, { exists: false }];
        // An operation under way (an interrupted run's, or someone else's): judge what it leaves.
        if (isBusy(fn)) fn = (await this.waitSettled(name)) ?? fn;
        this.observed.set(name, fn);
        const labels = fn.labels ?? {};
        const deployedHttp = !fn.eventTrigger?.eventType;
        const wantedHttp = this.settings(unit).trigger.kind === 'http';
        return [
          name,
          {
            exists: true,
            owned: isOwnedBy(labels, service, stage),
            owner: ownerOf(labels),
            // A FAILED function did not take its last deploy: its digest counts as unrecorded.
            digest: stateName(fn.state) === 'FAILED' ? undefined : digestFromLabels(labels),
            codeFingerprint: undefined,
            settings: observedSettings(fn),
            ...(deployedHttp !== wantedHttp
              ? {
                  incompatible: `it is deployed as ${deployedHttp ? 'an HTTP' : 'an event-driven'} function and Cloud Functions cannot change its trigger type; remove it first (sls remove, or delete ${gcpFunctionId(name)})`,
                }
              : {}),
          },
        ];
      },
    );
    return new Map(entries);
  }

  async listOwned(except: ReadonlySet<string> = new Set()): Promise<string[]> {
    const { service, stage } = this.options.model;
    const skip = new Set([...except].map(gcpFunctionId));
    const owned: string[] = [];
    let pageToken: string | undefined;
    do {
      const [functions, , response] = await withGcpRetries(
        () =>
          this.client.listFunctions(
            { parent: this.parent, pageSize: 100, ...(pageToken ? { pageToken } : {}) },
            { autoPaginate: false },
          ),
        { timing: this.timing },
      );
      for (const fn of functions) {
        const id = fn.name?.split('/').at(-1);
        if (id && !skip.has(id) && isOwnedBy(fn.labels, service, stage)) owned.push(id);
      }
      pageToken = response?.nextPageToken || undefined;
    } while (pageToken);
    return owned;
  }

  async apply(step: PlannedStep, progress: StepProgress): Promise<void> {
    const { row, unit, source } = step;
    if (row.action === 'delete') {
      progress('deleting');
      await this.deleteFunction(row.name, progress);
      return;
    }
    if (!unit || !source) throw new Error(`plan row ${row.name} has no unit`);
    if (row.action === 'create') await this.create(unit, source, progress);
    else if (row.action === 'update-code' || row.action === 'update-config')
      await this.update(step, unit, source, progress);
  }

  private async read(name: string): Promise<CloudFunction | undefined> {
    try {
      const [fn] = await withGcpRetries(() => this.client.getFunction({ name: this.fullName(name) }), {
        timing: this.timing,
      });
      return fn;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Polls getFunction until no operation runs on the function (or it is gone). */
  private async waitSettled(name: string): Promise<CloudFunction | undefined> {
    const { timing } = this;
    const deadline = Date.now() + timing.operationTimeoutMs;
    let delay = timing.pollInitialMs;
    for (;;) {
      const fn = await this.read(name);
      if (!fn || !isBusy(fn)) return fn;
      if (Date.now() >= deadline) {
        throw new UserError(
          `${gcpFunctionId(name)} is still ${stateName(fn.state)} after ${Math.round(timing.operationTimeoutMs / 1000)} s`,
          {
            hint: 'Another deploy may be running. Re-run `sls deploy` once it is done.',
          },
        );
      }
      await sleep(delay);
      delay = Math.min(delay * timing.pollMultiplier, timing.pollMaxMs);
    }
  }

  private retry(name: string, progress?: StepProgress) {
    return {
      timing: this.timing,
      settle: async () => {
        await this.waitSettled(name);
      },
      ...(progress ? { onRetry: progress } : {}),
    };
  }

  private labelsFor(source: ResolvedSource, current?: Record<string, string> | null): Record<string, string> {
    // Labels others put on the function stay; faasport's own are rewritten.
    const kept = Object.fromEntries(
      Object.entries(current ?? {}).filter(([key]) => !key.startsWith('faasport-')),
    );
    const { service, stage } = this.options.model;
    return { ...kept, ...ownershipLabels(service, stage), ...digestLabels(source.digest) };
  }

  private functionBody(
    unit: DeployUnit,
    storageSource?: protos.google.cloud.functions.v2.IStorageSource,
  ): CloudFunction {
    const settings = this.settings(unit);
    return {
      name: this.fullName(unit.fn.name),
      description: settings.description,
      buildConfig: {
        runtime: settings.runtime,
        entryPoint: settings.entryPoint,
        ...(storageSource ? { source: { storageSource } } : {}),
      },
      serviceConfig: {
        availableMemory: `${settings.memoryMib}Mi`,
        timeoutSeconds: settings.timeoutSeconds,
        environmentVariables: settings.environment,
        ...(settings.serviceAccount ? { serviceAccountEmail: settings.serviceAccount } : {}),
      },
      ...(this.eventTrigger(settings) ? { eventTrigger: this.eventTrigger(settings) } : {}),
    };
  }

  private eventTrigger(settings: GcpSettings): protos.google.cloud.functions.v2.IEventTrigger | undefined {
    const { trigger } = settings;
    if (trigger.kind === 'http') return undefined;
    const account = settings.serviceAccount ? { serviceAccountEmail: settings.serviceAccount } : {};
    if (trigger.kind === 'pubsub') {
      return {
        eventType: PUBSUB_EVENT,
        pubsubTopic: `projects/${this.project}/topics/${trigger.topic}`,
        ...account,
      };
    }
    return {
      eventType: `${STORAGE_EVENT}${trigger.event}`,
      eventFilters: [{ attribute: 'bucket', value: trigger.bucket }],
      ...account,
    };
  }

  private async upload(
    unit: DeployUnit,
    source: ResolvedSource,
    progress: StepProgress,
  ): Promise<protos.google.cloud.functions.v2.IStorageSource> {
    if (!source.zip) throw new Error(`${source.reference} resolved without its zip layer`);
    const bytes = () => this.options.resolver.zipBytes(unit.reference, source);
    if (this.options.bucket) return this.options.bucket.stage(source.zip.digest, bytes, progress);
    const zip = await bytes();
    progress(`uploading ${zip.length} bytes of source`);
    return uploadSource(this.client, this.parent, zip, this.timing);
  }

  private async create(unit: DeployUnit, source: ResolvedSource, progress: StepProgress): Promise<void> {
    const name = unit.fn.name;
    const storageSource = await this.upload(unit, source, progress);
    const fn = { ...this.functionBody(unit, storageSource), labels: this.labelsFor(source) };
    progress('creating');
    let operation: LongRunning;
    try {
      [operation] = await withGcpRetries(
        () =>
          this.client.createFunction(
            { parent: this.parent, functionId: gcpFunctionId(name), function: fn },
            { longrunning: pollSettings(this.timing) },
          ),
        this.retry(name, progress),
      );
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // A create that landed while its response was lost (the retry then finds it): adopt it if ours.
      const existing = await this.waitSettled(name);
      const { service, stage } = this.options.model;
      if (!existing || !isOwnedBy(existing.labels, service, stage)) throw error;
      this.observed.set(name, existing);
      if (stateName(existing.state) === 'ACTIVE' && digestFromLabels(existing.labels) === source.digest)
        return;
      progress('it exists already (an earlier attempt landed): updating it');
      await this.write(unit, { ...fn, labels: this.labelsFor(source, existing.labels) }, undefined, progress);
      return;
    }
    progress('waiting for the operation (build and deploy)');
    await this.awaitOperation(operation, 'create', name);
  }

  private async update(
    step: PlannedStep,
    unit: DeployUnit,
    source: ResolvedSource,
    progress: StepProgress,
  ): Promise<void> {
    const name = unit.fn.name;
    const { changes } = step.row;
    const current = this.observed.get(name);
    const paths = changes.config
      .map((key) => MASK_PATHS[key])
      .filter((path): path is string => path !== undefined);
    let storageSource: protos.google.cloud.functions.v2.IStorageSource | undefined;
    if (changes.code || changes.tagsOnly) {
      storageSource = await this.upload(unit, source, progress);
      paths.push('buildConfig.source', 'labels');
    }
    if (paths.length === 0) return;
    const fn = { ...this.functionBody(unit, storageSource), labels: this.labelsFor(source, current?.labels) };
    progress(`updating ${paths.join(', ')}`);
    await this.write(unit, fn, [...new Set(paths)], progress);
  }

  /** updateFunction with an explicit mask (no mask = every field replaced) and its operation awaited. */
  private async write(
    unit: DeployUnit,
    fn: CloudFunction,
    paths: string[] | undefined,
    progress: StepProgress,
  ): Promise<void> {
    const name = unit.fn.name;
    const mask = paths ?? ['buildConfig', 'serviceConfig', 'eventTrigger', 'labels', 'description'];
    const [operation] = await withGcpRetries(
      () =>
        this.client.updateFunction(
          { function: fn, updateMask: { paths: mask } },
          { longrunning: pollSettings(this.timing) },
        ),
      this.retry(name, progress),
    );
    progress('waiting for the operation (build and deploy)');
    await this.awaitOperation(operation, 'update', name);
  }

  async deleteFunction(name: string, progress?: StepProgress): Promise<void> {
    let operation: LongRunning;
    try {
      [operation] = await withGcpRetries(
        () =>
          this.client.deleteFunction(
            { name: this.fullName(name) },
            { longrunning: pollSettings(this.timing) },
          ),
        this.retry(name, progress),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    await this.awaitOperation(operation, 'delete', name);
  }

  private async awaitOperation(
    operation: LongRunning,
    verb: 'create' | 'update' | 'delete',
    name: string,
  ): Promise<void> {
    const reattach = async (operationName: string): Promise<LongRunning> =>
      verb === 'create'
        ? this.client.checkCreateFunctionProgress(operationName)
        : verb === 'update'
          ? this.client.checkUpdateFunctionProgress(operationName)
          : this.client.checkDeleteFunctionProgress(operationName);
    try {
      await awaitOperation(operation, reattach, this.timing, `${verb} ${gcpFunctionId(name)}`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new Error(
        `the ${verb} operation of ${gcpFunctionId(name)} failed: ${(error as Error).message}${verb === 'delete' ? '' : ' (the function is left FAILED; the next deploy deploys it again)'}`,
        { cause: error },
      );
    }
  }

  async describe(units: DeployUnit[]): Promise<DeployedInfo[]> {
    return mapBounded(units, READ_CONCURRENCY, async (unit) => {
      const base = { function: unit.fn.key, name: gcpFunctionId(unit.fn.name), target: 'gcp' as const };
      const fn = await this.read(unit.fn.name);
      if (!fn)
        return {
          ...base,
          digest: undefined,
          state: 'not deployed',
          lastUpdate: undefined,
          endpoint: undefined,
        };
      const trigger = observedTrigger(fn);
      return {
        ...base,
        digest: digestFromLabels(fn.labels),
        state: stateName(fn.state),
        lastUpdate: timestamp(fn.updateTime),
        endpoint: trigger === 'http' ? (fn.url ?? fn.serviceConfig?.uri ?? undefined) : trigger,
      };
    });
  }

  async invoke(unit: DeployUnit, payload: string): Promise<InvokeResult> {
    const fn = await this.read(unit.fn.name);
    if (!fn) {
      const local = this.options.clients.local;
      throw notDeployed(
        unit,
        local ? "the local cloud's Cloud Functions" : 'Google Cloud Functions',
        gcpFunctionId(unit.fn.name),
        local,
      );
    }
    const url = fn.url || fn.serviceConfig?.uri;
    if (observedTrigger(fn) !== 'http' || !url) {
      throw new UserError(
        `${unit.fn.key} is event-driven on Google Cloud Functions: it has no URL to invoke`,
        {
          hint: 'Publish to its topic or write to its bucket instead, or run it locally with `faasport emulate`.',
          exitCode: 2,
        },
      );
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!this.options.clients.local) {
      // Authenticated functions take an ID token whose audience is the function URL.
      const client = await new GoogleAuth().getIdTokenClient(url);
      Object.assign(headers, await client.getRequestHeaders(url));
    }
    const response = await fetch(url, { method: 'POST', body: payload, headers });
    const text = await response.text();
    return { payload: text, ...(response.ok ? {} : { functionError: `HTTP ${response.status}` }) };
  }

  close(): void {
    // A client whose first call failed (no credentials) rejects close() with that error again.
    this.client.close().catch(() => undefined);
  }
}

/** Enum values arrive as names from getFunction and as numbers in REST operation results: both. */
const STATES = ['STATE_UNSPECIFIED', 'ACTIVE', 'FAILED', 'DEPLOYING', 'DELETING', 'UNKNOWN'];
function stateName(state: unknown): string {
  return typeof state === 'number' ? (STATES[state] ?? 'UNKNOWN') : String(state ?? 'STATE_UNSPECIFIED');
}

function isBusy(fn: CloudFunction): boolean {
  const state = stateName(fn.state);
  return state === 'DEPLOYING' || state === 'DELETING';
}

function observedTrigger(fn: CloudFunction): string {
  const trigger = fn.eventTrigger;
  const type = trigger?.eventType;
  if (!type) return 'http';
  if (type === PUBSUB_EVENT) return `pubsub:${trigger.pubsubTopic ?? ''}`;
  if (type.startsWith(STORAGE_EVENT)) {
    const bucket = trigger.eventFilters?.find((filter) => filter.attribute === 'bucket')?.value ?? '';
    return `storage:${type.slice(STORAGE_EVENT.length)}:${bucket}`;
  }
  return type;
}

function observedSettings(fn: CloudFunction): Record<string, SettingValue> {
  const service = fn.serviceConfig ?? {};
  return {
    Runtime: fn.buildConfig?.runtime ?? undefined,
    EntryPoint: fn.buildConfig?.entryPoint ?? undefined,
    Memory: memoryMib(service.availableMemory ?? ''),
    Timeout: service.timeoutSeconds ?? undefined,
    Environment: { ...(service.environmentVariables ?? {}) },
    Description: fn.description ?? '',
    Trigger: observedTrigger(fn),
    ServiceAccount: service.serviceAccountEmail || undefined,
  };
}

/** `256Mi`, `1Gi`, `512M` → MiB, so `1024Mi` and `1Gi` compare equal. */
export function memoryMib(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const factor = { Mi: 1, Gi: 1024, M: 1e6 / 1048576, G: 1e9 / 1048576 }[match[2] as 'Mi' | 'Gi' | 'M' | 'G'];
  return Math.round(amount * factor);
}

function timestamp(value: protos.google.protobuf.ITimestamp | null | undefined): string | undefined {
  if (!value?.seconds) return undefined;
  return new Date(Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6)).toISOString();
}
