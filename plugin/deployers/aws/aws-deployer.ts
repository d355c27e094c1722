import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  type FunctionCode,
  GetFunctionCommand,
  type GetFunctionCommandOutput,
  InvokeCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  paginateListFunctions,
  type Runtime,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { PlatformWanted } from '../../../artifact/manifest/platform';
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
import type { AwsClients } from './aws-clients';
import {
  CLOUD_TIMING,
  DEFAULT_ROLE_PROPAGATION_MS,
  isAlreadyExists,
  isNotFound,
  LOCAL_TIMING,
  type RoleWait,
  withLambdaRetries,
} from './aws-retry';
import {
  checkSource,
  comparableSettings,
  type LambdaSettings,
  lambdaSettings,
  roleFor,
} from './aws-settings';
import { isOwnedBy, ownerOf, ownershipTags, TAGS } from './aws-tags';
import { type RoleStatus, roleStatus } from './role-check';
import { S3Staging } from './s3-staging';

/** Largest zip sent inline: the request body limit is the base64 of 50 MiB. */
export const INLINE_ZIP_LIMIT = 50 * 1024 * 1024;
const READ_CONCURRENCY = 10;

export interface AwsDeployerOptions {
  model: ServiceModel;
  clients: AwsClients;
  resolver: SourceResolver;
  env: NodeJS.ProcessEnv;
  /** Deploying to the local planes: the role of functions that name none (`localPlaceholderRole`). */
  localRole?: string;
}

/** base64 of the sha256 in a digest: Lambda's CodeSha256 for a zip of exactly those bytes. */
export function codeSha256Of(digest: string): string | undefined {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  return hex ? Buffer.from(hex, 'hex').toString('base64') : undefined;
}

/**
 * The AWS Lambda deployer: reads each function with one GetFunction (configuration, code, tags),
 * and writes in Terraform's order — configuration, wait, code, wait, concurrency — with the
 * artefact digests tagged last, so an interrupted rollout is finished by the next run.
 */
export class AwsDeployer implements TargetDeployer {
  readonly target = 'aws' as const;
  private readonly observed = new Map<string, GetFunctionCommandOutput>();
  private readonly settingsCache = new Map<string, LambdaSettings>();
  /** What IAM said about each execution role Lambda refused, shared by the functions using it. */
  private readonly roleStatuses = new Map<string, Promise<RoleStatus>>();
  private staging: S3Staging | undefined;

  constructor(private readonly options: AwsDeployerOptions) {}

  private get lambda() {
    return this.options.clients.lambda;
  }

  private get timing() {
    return this.options.clients.local ? LOCAL_TIMING : CLOUD_TIMING;
  }

  private settings(unit: DeployUnit): LambdaSettings {
    let settings = this.settingsCache.get(unit.fn.name);
    if (!settings) {
      settings = lambdaSettings(this.options.model, unit, this.options.env, this.options.localRole);
      this.settingsCache.set(unit.fn.name, settings);
    }
    return settings;
  }

  platformFor(unit: DeployUnit): PlatformWanted {
    return {
      os: 'linux',
      architecture: this.settings(unit).Architectures[0] === 'arm64' ? 'arm64' : 'amd64',
    };
  }

  check(unit: DeployUnit, source?: ResolvedSource): void {
    this.settings(unit);
    if (source) checkSource(this.options.model, unit, source, this.options.clients.region);
  }

  desired(unit: DeployUnit, source: ResolvedSource): DesiredSpec {
    const fingerprint =
      source.shape === 'zip' && source.zip
        ? codeSha256Of(source.zip.digest)
        : codeSha256Of(source.manifestDigest);
    return {
      digest: source.digest,
      ...(fingerprint ? { codeFingerprint: fingerprint } : {}),
      settings: comparableSettings(this.settings(unit), source.shape),
    };
  }

  async observe(units: DeployUnit[]): Promise<Map<string, ObservedSpec>> {
    const { service, stage } = this.options.model;
    const entries = await mapBounded(
      units,
      READ_CONCURRENCY,
      async (unit): Promise<[string, ObservedSpec]> => {
        const name = unit.fn.name;
        let got: GetFunctionCommandOutput;
        try {
          got = await this.lambda.send(new GetFunctionCommand({ FunctionName: name }));
        } catch (error) {
          if (isNotFound(error)) return [name, { exists: false }];
          throw error;
        }
        this.observed.set(name, got);
        const c = got.Configuration ?? {};
        const settings: Record<string, SettingValue> = {
          Role: c.Role,
          MemorySize: c.MemorySize,
          Timeout: c.Timeout,
          Environment: c.Environment?.Variables ?? {},
          Description: c.Description ?? '',
          Architectures: c.Architectures ?? ['x86_64'],
          ReservedConcurrency: got.Concurrency?.ReservedConcurrentExecutions,
          ...(c.PackageType === 'Image' ? {} : { Runtime: c.Runtime, Handler: c.Handler }),
        };
        const wanted = unit.packageType;
        const deployedType = c.PackageType === 'Image' ? 'image' : 'zip';
        return [
          name,
          {
            exists: true,
            owned: isOwnedBy(got.Tags, service, stage),
            owner: ownerOf(got.Tags),
            digest: got.Tags?.[TAGS.digest],
            codeFingerprint: c.CodeSha256,
            settings,
            ...(wanted && wanted !== deployedType
              ? {
                  incompatible: `it is deployed as a ${deployedType} function and Lambda cannot switch it to ${wanted}; remove it first (sls remove, or delete ${name})`,
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
    const prefix = `${service}-${stage}-`;
    const candidates: { name: string; arn: string }[] = [];
    for await (const page of paginateListFunctions({ client: this.lambda }, {})) {
      for (const fn of page.Functions ?? []) {
        if (fn.FunctionName?.startsWith(prefix) && fn.FunctionArn && !except.has(fn.FunctionName)) {
          candidates.push({ name: fn.FunctionName, arn: fn.FunctionArn });
        }
      }
    }
    const owned = await mapBounded(candidates, READ_CONCURRENCY, async ({ name, arn }) => {
      const { Tags } = await this.lambda.send(new ListTagsCommand({ Resource: arn }));
      return isOwnedBy(Tags, service, stage) ? name : undefined;
    });
    return owned.filter((name): name is string => name !== undefined);
  }

  async apply(step: PlannedStep, progress: StepProgress): Promise<void> {
    const { row, unit, source } = step;
    if (row.action === 'delete') {
      progress('deleting');
      await this.deleteFunction(row.name);
      return;
    }
    if (!unit || !source) throw new Error(`plan row ${row.name} has no unit`);
    if (row.action === 'create') await this.create(unit, source, progress);
    else if (row.action === 'update-code' || row.action === 'update-config')
      await this.update(step, unit, source, progress);
  }

  async deleteFunction(name: string): Promise<void> {
    try {
      await withLambdaRetries(() => this.lambda.send(new DeleteFunctionCommand({ FunctionName: name })), {
        timing: this.timing,
        settle: () => this.waitUpdated(name),
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async create(unit: DeployUnit, source: ResolvedSource, progress: StepProgress): Promise<void> {
    const name = unit.fn.name;
    const settings = this.settings(unit);
    const code = await this.code(unit, source, progress);
    const input: CreateFunctionCommandInput = {
      FunctionName: name,
      Role: settings.Role,
      PackageType: source.shape === 'image' ? 'Image' : 'Zip',
      Code: code,
      ...(source.shape === 'zip' ? { Runtime: settings.Runtime as Runtime, Handler: settings.Handler } : {}),
      MemorySize: settings.MemorySize,
      Timeout: settings.Timeout,
      Environment: { Variables: settings.Environment },
      Description: settings.Description,
      Architectures: settings.Architectures,
      Tags: ownershipTags(this.options.model.service, this.options.model.stage),
    };
    progress('creating');
    try {
      await withLambdaRetries(() => this.lambda.send(new CreateFunctionCommand(input)), {
        timing: this.timing,
        settle: () => this.waitActive(name),
        onRetry: progress,
        role: this.roleWait(settings.Role),
      });
    } catch (error) {
      // A create that landed while its response was lost (a retry then finds it): carry on.
      if (!isAlreadyExists(error)) throw error;
      const got = await this.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      const { service, stage } = this.options.model;
      if (!isOwnedBy(got.Tags, service, stage)) throw error;
    }
    progress('waiting for Active');
    await this.waitActive(name);
    if (settings.ReservedConcurrency !== undefined)
      await this.setConcurrency(name, settings.ReservedConcurrency);
    await this.recordDigests(name, source);
  }

  private async update(
    step: PlannedStep,
    unit: DeployUnit,
    source: ResolvedSource,
    progress: StepProgress,
  ): Promise<void> {
    const name = unit.fn.name;
    const settings = this.settings(unit);
    const { changes } = step.row;
    const observed = this.observed.get(name);
    const state = observed?.Configuration;
    if (state?.State === 'Pending' || state?.LastUpdateStatus === 'InProgress') {
      progress('waiting for the function to settle');
      await this.waitUpdated(name);
    }
    const retry = { timing: this.timing, settle: () => this.waitUpdated(name), onRetry: progress };
    const configChanged = changes.config.filter(
      (key) => key !== 'Architectures' && key !== 'ReservedConcurrency',
    );
    if (configChanged.length) {
      progress(`updating configuration (${configChanged.join(', ')})`);
      await withLambdaRetries(
        () =>
          this.lambda.send(
            new UpdateFunctionConfigurationCommand({
              FunctionName: name,
              Role: settings.Role,
              ...(source.shape === 'zip'
                ? { Runtime: settings.Runtime as Runtime, Handler: settings.Handler }
                : {}),
              MemorySize: settings.MemorySize,
              Timeout: settings.Timeout,
              Environment: { Variables: settings.Environment },
              Description: settings.Description,
            }),
          ),
        { ...retry, role: this.roleWait(settings.Role) },
      );
      await this.waitUpdated(name);
    }
    if (changes.code || changes.config.includes('Architectures')) {
      const code = await this.code(unit, source, progress);
      progress('updating code');
      await withLambdaRetries(
        () =>
          this.lambda.send(
            new UpdateFunctionCodeCommand({
              FunctionName: name,
              ...code,
              Architectures: settings.Architectures,
            }),
          ),
        retry,
      );
      progress('waiting for the update');
      await this.waitUpdated(name);
    }
    if (changes.config.includes('ReservedConcurrency'))
      await this.setConcurrency(name, settings.ReservedConcurrency);
    if (changes.code || changes.tagsOnly) await this.recordDigests(name, source);
  }

  /** The code for Create/UpdateFunctionCode: inline zip, S3-staged zip, or image by digest. */
  private async code(
    unit: DeployUnit,
    source: ResolvedSource,
    progress: StepProgress,
  ): Promise<FunctionCode> {
    const reference = unit.reference;
    if (source.shape === 'image') {
      if (reference.kind !== 'registry') throw new Error('image references are checked to be ECR');
      return { ImageUri: `${reference.registry}/${reference.repository}@${source.manifestDigest}` };
    }
    const zip = source.zip;
    if (!zip) throw new Error(`${source.reference} resolved without its zip layer`);
    const bytes = () => this.options.resolver.zipBytes(reference, source);
    if (zip.size <= this.inlineLimit()) return { ZipFile: await bytes() };
    const staging = this.stagingFor(unit);
    progress(`staging ${zip.size} bytes in s3://${staging.bucket}`);
    const { key } = await staging.stage(zip.digest, bytes, zip.size);
    return { S3Bucket: staging.bucket, S3Key: key };
  }

  /** The role a call passes, waited for as `withLambdaRetries` says; IAM is asked once per role. */
  private roleWait(arn: string): RoleWait {
    const configured = this.options.model.targets.aws?.rolePropagationTimeout;
    return {
      arn,
      timeoutMs: typeof configured === 'number' ? configured * 1000 : DEFAULT_ROLE_PROPAGATION_MS,
      status: () => {
        let status = this.roleStatuses.get(arn);
        if (!status) {
          status = roleStatus(this.options.clients.iam, arn);
          this.roleStatuses.set(arn, status);
        }
        return status;
      },
    };
  }

  private inlineLimit(): number {
    const configured = this.options.model.targets.aws?.inlineZipMaxBytes;
    return typeof configured === 'number' ? configured : INLINE_ZIP_LIMIT;
  }

  private stagingFor(unit: DeployUnit): S3Staging {
    if (!this.staging) {
      const configured = this.options.model.targets.aws?.deploymentBucket;
      const { accountId } = roleFor(this.options.model, unit, this.options.env, this.options.localRole);
      const region = this.options.clients.region;
      const bucket = typeof configured === 'string' ? configured : `faasport-deploy-${accountId}-${region}`;
      this.staging = new S3Staging(this.options.clients.s3, bucket, region, typeof configured !== 'string');
    }
    return this.staging;
  }

  private async setConcurrency(name: string, value: number | undefined): Promise<void> {
    const retry = { timing: this.timing, settle: () => this.waitUpdated(name) };
    if (value === undefined) {
      await withLambdaRetries(
        () => this.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })),
        retry,
      );
    } else {
      await withLambdaRetries(
        () =>
          this.lambda.send(
            new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: value }),
          ),
        retry,
      );
    }
  }

  /** Last write of a rollout: until it lands, the next run sees the old digest and finishes the job. */
  private async recordDigests(name: string, source: ResolvedSource): Promise<void> {
    const arn = await this.arnOf(name);
    const tags: Record<string, string> = { [TAGS.digest]: source.digest };
    if (source.zip) tags[TAGS.zipDigest] = source.zip.digest;
    if (source.shape === 'image' && source.manifestDigest !== source.digest)
      tags[TAGS.manifestDigest] = source.manifestDigest;
    await withLambdaRetries(() => this.lambda.send(new TagResourceCommand({ Resource: arn, Tags: tags })), {
      timing: this.timing,
      settle: () => this.waitUpdated(name),
    });
  }

  private async arnOf(name: string): Promise<string> {
    const known = this.observed.get(name)?.Configuration?.FunctionArn;
    if (known) return known;
    const got = await this.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    this.observed.set(name, got);
    return got.Configuration?.FunctionArn ?? name;
  }

  private waiterConfig() {
    const local = this.options.clients.local;
    return { client: this.lambda, maxWaitTime: 300, minDelay: local ? 0.05 : 1, maxDelay: local ? 0.5 : 10 };
  }

  private async waitActive(name: string): Promise<void> {
    await waitUntilFunctionActiveV2(this.waiterConfig(), { FunctionName: name });
  }

  private async waitUpdated(name: string): Promise<void> {
    await waitUntilFunctionUpdatedV2(this.waiterConfig(), { FunctionName: name });
  }

  async describe(units: DeployUnit[]): Promise<DeployedInfo[]> {
    return mapBounded(units, READ_CONCURRENCY, async (unit) => {
      const base = { function: unit.fn.key, name: unit.fn.name, target: 'aws' as const };
      try {
        const got = await this.lambda.send(new GetFunctionCommand({ FunctionName: unit.fn.name }));
        const c = got.Configuration ?? {};
        const update =
          c.LastUpdateStatus && c.LastUpdateStatus !== 'Successful' ? `, update ${c.LastUpdateStatus}` : '';
        return {
          ...base,
          digest: got.Tags?.[TAGS.digest],
          state: `${c.State ?? 'unknown'}${update}`,
          lastUpdate: c.LastModified,
          endpoint: c.FunctionArn,
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

  async invoke(unit: DeployUnit, payload: string): Promise<InvokeResult> {
    const result = await this.lambda.send(
      new InvokeCommand({ FunctionName: unit.fn.name, Payload: Buffer.from(payload), LogType: 'Tail' }),
    );
    return {
      payload: result.Payload ? Buffer.from(result.Payload).toString('utf8') : '',
      ...(result.FunctionError ? { functionError: result.FunctionError } : {}),
      ...(result.LogResult ? { logTail: Buffer.from(result.LogResult, 'base64').toString('utf8') } : {}),
    };
  }

  close(): void {
    this.options.clients.lambda.destroy();
    this.options.clients.s3.destroy();
    this.options.clients.iam.destroy();
  }
}
