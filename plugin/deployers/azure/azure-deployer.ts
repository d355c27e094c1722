import type { Site } from '@azure/arm-appservice';
import type { PlatformWanted } from '../../../artifact/manifest/platform';
import { UserError } from '../../../common/errors';
import type { ServiceModel } from '../../../common/service/service-model';
import { mapBounded } from '../../planner/bounded';
import type { DeployUnit } from '../../planner/deploy-units';
import type { DesiredSpec, ObservedSpec } from '../../planner/diff';
import type { ResolvedSource } from '../../planner/resolved-source';
import type { SourceResolver } from '../../planner/source-resolver';
import type {
  DeployedInfo,
  InvokeResult,
  PlannedStep,
  StepProgress,
  TargetDeployer,
} from '../target-deployer';
import { type ArmTiming, CLOUD_TIMING, isNotFound, LOCAL_TIMING, withArmRetries } from './arm-retry';
import type { AzureClients } from './azure-clients';
import { siteNameOf } from './azure-names';
import {
  type AzureFunctionSettings,
  type AzureTargetSettings,
  azureFunctionSettings,
  checkAzureSource,
} from './azure-settings';
import { isOwnedBy, ownerOf, ownershipTags, TAGS } from './azure-tags';
import { BlobStaging } from './blob-staging';
import {
  type AppCode,
  comparableSite,
  desiredAppSettings,
  imageLinuxFxVersion,
  mergeAppSettings,
  observedManagedSettings,
  packageDigestOf,
  RUN_FROM_PACKAGE,
  type SiteShape,
  siteEnvelope,
  siteShape,
} from './site-spec';

const READ_CONCURRENCY = 10;

export interface AzureDeployerOptions {
  model: ServiceModel;
  target: AzureTargetSettings;
  clients: AzureClients;
  resolver: SourceResolver;
}

interface Observed {
  site: Site;
  settings: Record<string, string>;
}

/** Drops the query (a SAS token) of any URL in a message: errors and logs never carry it. */
export function redact(text: string): string {
  return text.replace(/(https?:\/\/[^\s?"']+)\?[^\s"']*/g, '$1?<redacted>');
}

/**
 * The Azure Functions deployer: one function app per function on an existing Premium or
 * Dedicated plan. Reads each app with a site GET (tags: ownership and digest) and an app-settings
 * list; writes the site (a long-running PUT, awaited with a bound) only when it is new or its
 * shape changed, otherwise the merged app settings; the digest tag is written last, so an
 * interrupted rollout is finished by the next run.
 */
export class AzureDeployer implements TargetDeployer {
  readonly target = 'azure' as const;
  private readonly observed = new Map<string, Observed>();
  private readonly settingsCache = new Map<string, AzureFunctionSettings>();
  private staging: BlobStaging | undefined;

  constructor(private readonly options: AzureDeployerOptions) {}

  private get web() {
    return this.options.clients.web;
  }

  private get rg() {
    return this.options.target.resourceGroup;
  }

  private get timing(): ArmTiming {
    return this.options.clients.local ? LOCAL_TIMING : CLOUD_TIMING;
  }

  private settings(unit: DeployUnit): AzureFunctionSettings {
    let settings = this.settingsCache.get(unit.fn.name);
    if (!settings) {
      settings = azureFunctionSettings(this.options.model, unit);
      this.settingsCache.set(unit.fn.name, settings);
    }
    return settings;
  }

  platformFor(_unit: DeployUnit): PlatformWanted {
    return { os: 'linux', architecture: 'amd64' };
  }

  check(unit: DeployUnit, source?: ResolvedSource): void {
    this.settings(unit);
    if (!source) return;
    checkAzureSource(this.options.model, unit, source);
    // Zip apps need a place for their package: refuse now, before any call, when there is none.
    if (source.shape === 'zip') this.options.clients.storage();
  }

  private shapeFor(unit: DeployUnit, source: ResolvedSource): SiteShape {
    const fn = this.settings(unit);
    const reference = unit.reference;
    if (source.shape === 'image' && reference.kind === 'registry') {
      return siteShape(this.options.target, fn, {
        image: true,
        registry: reference.registry,
        linuxFxVersion: imageLinuxFxVersion(reference.registry, reference.repository, source.manifestDigest),
      });
    }
    return siteShape(this.options.target, fn, { image: false });
  }

  private desiredSettings(unit: DeployUnit, source: ResolvedSource): Record<string, string> {
    const image = source.shape === 'image';
    return desiredAppSettings(this.settings(unit), image ? undefined : this.options.clients.storage(), image);
  }

  desired(unit: DeployUnit, source: ResolvedSource): DesiredSpec {
    const image = source.shape === 'image';
    const shape = this.shapeFor(unit, source);
    const fingerprint = image ? shape.linuxFxVersion : source.zip?.digest;
    return {
      digest: source.digest,
      ...(fingerprint ? { codeFingerprint: fingerprint } : {}),
      settings: {
        ...comparableSite(shape, image),
        AppSettings: this.desiredSettings(unit, source),
      },
    };
  }

  async observe(units: DeployUnit[]): Promise<Map<string, ObservedSpec>> {
    const { service, stage } = this.options.model;
    const entries = await mapBounded(
      units,
      READ_CONCURRENCY,
      async (unit): Promise<[string, ObservedSpec]> => {
        const name = unit.fn.name;
        const site = siteNameOf(name);
        let got: Site;
        try {
          got = await this.web.webApps.get(this.rg, site);
        } catch (error) {
          if (isNotFound(error)) return [name, { exists: false }];
          throw error;
        }
        const tags = got.tags ?? {};
        const owned = isOwnedBy(tags, service, stage);
        const settings = owned
          ? ((await this.web.webApps.listApplicationSettings(this.rg, site)).properties ?? {})
          : {};
        this.observed.set(name, { site: got, settings });
        const kind = got.kind ?? '';
        const image = kind.includes('container');
        const linuxFxVersion = got.siteConfig?.linuxFxVersion ?? '';
        return [
          name,
          {
            exists: true,
            owned,
            owner: ownerOf(tags),
            digest: tags[TAGS.digest],
            codeFingerprint: image ? linuxFxVersion : packageDigestOf(settings[RUN_FROM_PACKAGE]),
            // Every site-level key: the diff compares those the desired shape (zip or image) has.
            settings: {
              Kind: kind,
              ServerFarm: (got.serverFarmId ?? '').toLowerCase(),
              LinuxFxVersion: linuxFxVersion,
              AcrManagedIdentity: got.siteConfig?.acrUseManagedIdentityCreds === true,
              AppSettings: observedManagedSettings(settings),
            },
          },
        ];
      },
    );
    return new Map(entries);
  }

  async listOwned(except: ReadonlySet<string> = new Set()): Promise<string[]> {
    const { service, stage } = this.options.model;
    const skip = new Set([...except].map(siteNameOf));
    const owned: string[] = [];
    for await (const site of this.web.webApps.listByResourceGroup(this.rg)) {
      const name = site.name ?? '';
      if (name && !skip.has(name) && isOwnedBy(site.tags, service, stage)) owned.push(name);
    }
    return owned.sort();
  }

  async apply(step: PlannedStep, progress: StepProgress): Promise<void> {
    const { row, unit, source } = step;
    try {
      if (row.action === 'delete') {
        progress('deleting the function app');
        await this.deleteSite(siteNameOf(row.name), progress);
        return;
      }
      if (!unit || !source) throw new Error(`plan row ${row.name} has no unit`);
      await this.rollout(step, unit, source, progress);
    } catch (error) {
      if (error instanceof UserError) throw error;
      // RestErrors may quote a request URL: never let a SAS through.
      throw new Error(redact((error as Error)?.message ?? String(error)), { cause: error });
    }
  }

  private async deleteSite(site: string, progress: StepProgress): Promise<void> {
    await withArmRetries(() => this.web.webApps.delete(this.rg, site), {
      timing: this.timing,
      onRetry: progress,
    });
  }

  /**
   * Create or update in one order: code staged → site PUT (new app, or its shape changed) or the
   * merged app settings → trigger sync (a new package URL) → digest tag, last (a site PUT without
   * app settings: ARM's site PATCH has no tags).
   */
  private async rollout(
    step: PlannedStep,
    unit: DeployUnit,
    source: ResolvedSource,
    progress: StepProgress,
  ): Promise<void> {
    const { row } = step;
    const site = siteNameOf(unit.fn.name);
    const image = source.shape === 'image';
    const shape = this.shapeFor(unit, source);
    const observed = row.action === 'create' ? undefined : this.observed.get(unit.fn.name);
    const codeChanges = row.action === 'create' || row.changes.code;
    const code: AppCode | undefined = !codeChanges
      ? undefined
      : image
        ? { kind: 'image' }
        : { kind: 'zip', packageSetting: await this.stagePackage(unit, source, site, progress) };
    const shapeDrift = row.changes.config.some((key) => key !== 'AppSettings');
    const tagsBefore = {
      ...(observed?.site.tags ?? {}),
      ...ownershipTags(this.options.model.service, this.options.model.stage),
    };
    const retry = { timing: this.timing, onRetry: progress };
    if (!observed || shapeDrift || (image && codeChanges)) {
      // Read-merge-write even here: a PUT carrying appSettings replaces them all.
      const existing = observed ? await this.currentSettings(site) : {};
      const settings = mergeAppSettings(existing, this.desiredSettings(unit, source), code);
      progress(
        observed ? 'updating the function app (long-running)' : 'creating the function app (long-running)',
      );
      await withArmRetries(
        () => this.putSite(site, siteEnvelope(this.options.target, shape, tagsBefore, settings)),
        retry,
      );
    } else if (codeChanges || row.changes.config.includes('AppSettings')) {
      const existing = await this.currentSettings(site);
      const settings = mergeAppSettings(existing, this.desiredSettings(unit, source), code);
      progress(code ? 'pointing the app at the new package' : 'updating app settings');
      await withArmRetries(
        () => this.web.webApps.updateApplicationSettings(this.rg, site, { properties: settings }),
        retry,
      );
    }
    if (code?.kind === 'zip') {
      // A package URL outside the app: the platform needs a trigger sync to see its functions.
      await withArmRetries(() => this.web.webApps.syncFunctionTriggers(this.rg, site), retry);
    }
    // A settings-only change leaves the recorded digest as it is: nothing more to write.
    if (!codeChanges && !row.changes.tagsOnly) return;
    const tags: Record<string, string> = { ...tagsBefore, [TAGS.digest]: source.digest };
    if (source.zip) tags[TAGS.zipDigest] = source.zip.digest;
    else delete tags[TAGS.zipDigest];
    progress('recording the digest');
    await withArmRetries(
      () => this.putSite(site, siteEnvelope(this.options.target, shape, tags, undefined)),
      retry,
    );
  }

  private async currentSettings(site: string): Promise<Record<string, string>> {
    const listed = await withArmRetries(() => this.web.webApps.listApplicationSettings(this.rg, site), {
      timing: this.timing,
    });
    return listed.properties ?? {};
  }

  /** The site PUT, its long-running operation polled to the end, within the timing's bound. */
  private async putSite(site: string, envelope: Site): Promise<void> {
    const { pollMs, operationTimeoutMs } = this.timing;
    try {
      await this.web.webApps.createOrUpdate(this.rg, site, envelope, {
        updateIntervalInMs: pollMs,
        abortSignal: AbortSignal.timeout(operationTimeoutMs),
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError' || (error as Error)?.name === 'TimeoutError') {
        throw new Error(
          `the site operation on ${site} did not finish within ${Math.round(operationTimeoutMs / 1000)} s; it may still complete — re-run the deploy to check and finish`,
        );
      }
      if ((error as { statusCode?: number })?.statusCode === 409) throw error;
      throw new Error(`the site operation on ${site} failed: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
  }

  private async stagePackage(
    unit: DeployUnit,
    source: ResolvedSource,
    site: string,
    progress: StepProgress,
  ): Promise<string> {
    const zip = source.zip;
    if (!zip) throw new Error(`${source.reference} resolved without its zip layer`);
    this.staging ??= new BlobStaging(
      this.options.clients.blobs(),
      this.options.clients.storage(),
      this.options.target.container,
    );
    const staged = await this.staging.stage(
      site,
      zip.digest,
      () => this.options.resolver.zipBytes(unit.reference, source),
      zip.size,
    );
    progress(`${staged.uploaded ? 'uploaded' : 'reusing'} package ${staged.url} (${zip.size} bytes)`);
    return staged.settingValue;
  }

  async describe(units: DeployUnit[]): Promise<DeployedInfo[]> {
    return mapBounded(units, READ_CONCURRENCY, async (unit) => {
      const base = { function: unit.fn.key, name: siteNameOf(unit.fn.name), target: 'azure' as const };
      try {
        const site = await this.web.webApps.get(this.rg, base.name);
        return {
          ...base,
          digest: site.tags?.[TAGS.digest],
          state: site.state ?? 'unknown',
          lastUpdate: site.lastModifiedTimeUtc?.toISOString(),
          endpoint: site.defaultHostName ? `https://${site.defaultHostName}` : undefined,
        };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        return {
          ...base,
          digest: undefined,
          state: 'not deployed',
          lastUpdate: undefined,
          endpoint: undefined,
        };
      }
    });
  }

  async invoke(unit: DeployUnit, _payload: string): Promise<InvokeResult> {
    throw new UserError(`sls invoke is not supported for Azure Functions (${unit.fn.key})`, {
      hint: `Azure has no invoke API: call the function's trigger, e.g. its HTTP route under https://${siteNameOf(unit.fn.name)}.azurewebsites.net/api/ (sls info shows the host).`,
      exitCode: 2,
    });
  }

  close(): void {
    // The Azure clients hold no sockets open between calls.
  }
}
