import { createHash, randomUUID } from 'node:crypto';
import { inspectZip } from '../../artifact/unzip/inspect-zip';
import { DEFAULT_UNZIP_LIMITS, type UnzipLimits } from '../../artifact/unzip/limits';
import { type CloudAuth, sameSecret, urlSignature } from '../auth/cloud-auth';
import { CloudError } from '../cloud-error';
import {
  type CloudApi,
  type CloudRequest,
  type CloudResponse,
  cloudRoute,
  openRoute,
} from '../control-plane-server';
import type { LambdaInvoker } from '../invokers';
import { authenticateLambda } from './aws-auth';
import { conflict, invalidParameter, lambdaErrorResponse, notFound, throttled } from './aws-errors';
import type { AwsCloudBehaviour } from './aws-faults';
import type { DeployedLambdaFunction, LambdaConfiguration } from './deployed-function';
import type { FunctionRecords } from './function-records';
import { IamRoles } from './iam-roles';
import type { S3Buckets } from './s3-api';

export interface LambdaApiOptions {
  region: string;
  accountId: string;
  behaviour: AwsCloudBehaviour;
  s3: S3Buckets;
  records?: FunctionRecords;
  invoker?: LambdaInvoker;
  /** The server's own base URL, for `Code.Location` (known once it listens). */
  baseUrl(): string;
  /** Signs `Code.Location` as a presigned URL is: fetched without credentials, by its holder only. */
  auth: CloudAuth;
}

/** Where `Code.Location` points, and the query parameter that signs it. */
const CODE_PATH = '/__faasport/cloud/aws/code';
const CODE_SIGNATURE = 'X-Faasport-Signature';

interface Entry {
  record: DeployedLambdaFunction;
  zip: Buffer | undefined;
  timer?: NodeJS.Timeout;
  /** Disk writes of this function, in order. */
  saving: Promise<void>;
}

/** Request body of CreateFunction / UpdateFunctionConfiguration, as the SDK serialises it. */
interface FunctionInput {
  FunctionName?: string;
  Runtime?: string;
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  PackageType?: 'Zip' | 'Image';
  Tags?: Record<string, string>;
  Architectures?: Array<'x86_64' | 'arm64'>;
  Code?: CodeInput;
  RevisionId?: string;
}

interface CodeInput {
  ZipFile?: string;
  S3Bucket?: string;
  S3Key?: string;
  ImageUri?: string;
  Architectures?: Array<'x86_64' | 'arm64'>;
  RevisionId?: string;
}

const INLINE_BODY_LIMIT = 69_905_067;
const ENVIRONMENT_LIMIT = 4096;
const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const FUNCTION_NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];
/** Lambda's answer for a role it cannot assume: one not propagated yet, or one that does not exist. */
const ROLE_NOT_ASSUMABLE = 'The role defined for the function cannot be assumed by Lambda.';
const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';
/** Lambda's quota for a function's unzipped code (250 MB), in the bytes its error message gives. */
const LAMBDA_UNZIPPED_BYTES = 262_144_000;
const LAMBDA_UNZIP_LIMITS: UnzipLimits = {
  ...DEFAULT_UNZIP_LIMITS,
  maxTotalBytes: LAMBDA_UNZIPPED_BYTES,
  maxEntryBytes: LAMBDA_UNZIPPED_BYTES,
};

/**
 * The Lambda control-plane API subset the faasport deployer uses, with the documented behaviour:
 * Pending → Active after a delay, LastUpdateStatus InProgress after every update, 409 on a
 * concurrent update or a call on a Pending function, 412 on a stale RevisionId, and the injected
 * failures of `AwsCloudBehaviour`.
 */
export class LambdaApi {
  private readonly functions = new Map<string, Entry>();
  private calls = 0;
  private readonly iam: IamRoles;

  constructor(private readonly options: LambdaApiOptions) {
    this.iam = new IamRoles(() => options.behaviour.missingRoles);
  }

  /** Reloads what a previous run recorded: settled states, as time has passed. */
  async restore(): Promise<void> {
    for (const { record, zip } of (await this.options.records?.load()) ?? []) {
      record.configuration.State = 'Active';
      record.configuration.LastUpdateStatus = 'Successful';
      this.functions.set(record.configuration.FunctionName, { record, zip, saving: Promise.resolve() });
    }
  }

  /** What is deployed now (for tests and the emulator). */
  list(): DeployedLambdaFunction[] {
    return [...this.functions.values()].map((entry) => structuredClone(entry.record));
  }

  /** Waits for pending disk writes, and stops the state timers. */
  async close(): Promise<void> {
    for (const entry of this.functions.values()) clearTimeout(entry.timer);
    await Promise.all([...this.functions.values()].map((entry) => entry.saving));
  }

  api(): CloudApi {
    const r = cloudRoute;
    const routes = [
      r('POST', '/2015-03-31/functions', 'CreateFunction', true, (q) => this.create(q)),
      r('GET', '/2015-03-31/functions', 'ListFunctions', false, (q) => this.listFunctions(q)),
      r('GET', '/2015-03-31/functions/{FunctionName}', 'GetFunction', false, (q) => this.get(q)),
      r(
        'GET',
        '/2015-03-31/functions/{FunctionName}/configuration',
        'GetFunctionConfiguration',
        false,
        (q) => ({
          status: 200,
          json: this.find(q).record.configuration,
        }),
      ),
      r('PUT', '/2015-03-31/functions/{FunctionName}/code', 'UpdateFunctionCode', true, (q) =>
        this.updateCode(q),
      ),
      r(
        'PUT',
        '/2015-03-31/functions/{FunctionName}/configuration',
        'UpdateFunctionConfiguration',
        true,
        (q) => this.updateConfiguration(q),
      ),
      r('DELETE', '/2015-03-31/functions/{FunctionName}', 'DeleteFunction', true, (q) => this.delete(q)),
      r('POST', '/2015-03-31/functions/{FunctionName}/invocations', 'Invoke', false, (q) => this.invoke(q)),
      r('POST', '/2017-03-31/tags/{Resource}', 'TagResource', true, (q) => this.tag(q)),
      r('DELETE', '/2017-03-31/tags/{Resource}', 'UntagResource', true, (q) => this.untag(q)),
      r('GET', '/2017-03-31/tags/{Resource}', 'ListTags', false, (q) => ({
        status: 200,
        json: { Tags: this.find(q, 'Resource').record.tags },
      })),
      r('PUT', '/2017-10-31/functions/{FunctionName}/concurrency', 'PutFunctionConcurrency', true, (q) =>
        this.putConcurrency(q),
      ),
      r(
        'DELETE',
        '/2017-10-31/functions/{FunctionName}/concurrency',
        'DeleteFunctionConcurrency',
        true,
        (q) => this.deleteConcurrency(q),
      ),
      r('GET', '/2019-09-30/functions/{FunctionName}/concurrency', 'GetFunctionConcurrency', false, (q) => {
        const { reservedConcurrency } = this.find(q).record;
        return {
          status: 200,
          json:
            reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: reservedConcurrency },
        };
      }),
      // IAM's Query protocol (Action=GetRole in a form body) on this port, as LocalStack does
      r('POST', '/', 'GetRole', false, (q) => this.iam.handle(q)),
      openRoute(
        r('GET', `${CODE_PATH}/{FunctionName}`, 'GetFunctionCode', false, (q) => {
          const signature = q.query.get(CODE_SIGNATURE) ?? '';
          if (!sameSecret(signature, urlSignature(this.options.auth, q.path))) {
            throw new CloudError(403, 'AccessDenied', 'Request has expired or its signature is not valid');
          }
          const entry = this.find(q);
          if (!entry.zip)
            throw notFound(`Function ${entry.record.configuration.FunctionName} has no zip code`);
          return { status: 200, body: entry.zip, headers: { 'content-type': 'application/zip' } };
        }),
      ),
    ];
    return {
      provider: 'aws',
      routes,
      bodyLimit: INLINE_BODY_LIMIT,
      tooLarge: () =>
        new CloudError(
          413,
          'RequestTooLargeException',
          'Request must be smaller than 69905067 bytes for the CreateFunction operation',
        ),
      errorResponse: lambdaErrorResponse,
      authenticate: authenticateLambda,
      beforeCall: (route) => {
        // IAM is another service: Lambda's injected throttling does not reach it
        if (route.operation === 'GetRole') return;
        this.calls += 1;
        const every = this.options.behaviour.throttleEvery;
        if (every > 0 && this.calls % every === 0) throw throttled();
      },
    };
  }

  private arn(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  /** A function by name, full ARN or partial ARN (`123:function:name`), as Lambda accepts. */
  private find(request: CloudRequest, param = 'FunctionName'): Entry {
    const given = request.params[param] ?? '';
    const name = /(?:^|:)function:([^:]+)/.exec(given)?.[1] ?? given;
    const entry = this.functions.get(name);
    if (!entry) throw notFound(`Function not found: ${given.startsWith('arn:') ? given : this.arn(given)}`);
    return entry;
  }

  private parse(request: CloudRequest): FunctionInput {
    if (request.body.length === 0) return {};
    try {
      return JSON.parse(request.body.toString('utf8')) as FunctionInput;
    } catch {
      throw new CloudError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
  }

  private validateSettings(input: FunctionInput): void {
    if (input.MemorySize !== undefined && (input.MemorySize < 128 || input.MemorySize > 10_240)) {
      throw new CloudError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${input.MemorySize}' at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240`,
      );
    }
    if (input.Timeout !== undefined && (input.Timeout < 1 || input.Timeout > 900)) {
      throw new CloudError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${input.Timeout}' at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900`,
      );
    }
    if (input.Role !== undefined && !ROLE_ARN.test(input.Role)) {
      throw new CloudError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${input.Role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
      );
    }
    const variables = input.Environment?.Variables ?? {};
    const size = Object.entries(variables).reduce((sum, [k, v]) => sum + k.length + String(v).length, 0);
    if (size > ENVIRONMENT_LIMIT) {
      throw invalidParameter(
        'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.',
      );
    }
    this.validateTags(input.Tags ?? {});
  }

  private validateTags(tags: Record<string, string>): void {
    for (const [key, value] of Object.entries(tags)) {
      if (key.length === 0 || key.length > 128 || String(value).length > 256) {
        throw invalidParameter(`Tag ${key}: keys are 1-128 characters and values at most 256`);
      }
    }
  }

  /** The code of a Create/UpdateFunctionCode call: zip bytes, or an image URI. */
  private async code(
    input: CodeInput,
    packageType: 'Zip' | 'Image',
  ): Promise<{ zip?: Buffer; imageUri?: string }> {
    if (packageType === 'Image') {
      if (!input.ImageUri)
        throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
      const ecr =
        /^\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/[^@:]+(?::[\w.-]+|@sha256:[a-f0-9]{64})$/.exec(
          input.ImageUri,
        );
      if (!ecr)
        throw invalidParameter(`Source image ${input.ImageUri} is not valid. Provide a valid source image.`);
      if (ecr[1] !== this.options.region) {
        throw invalidParameter(
          `Source image ${input.ImageUri} must be in the same region as the function (${this.options.region}).`,
        );
      }
      return { imageUri: input.ImageUri };
    }
    if (input.ImageUri)
      throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
    let zip: Buffer | undefined;
    if (input.ZipFile !== undefined) {
      zip = Buffer.from(input.ZipFile, 'base64');
    } else if (input.S3Bucket && input.S3Key) {
      zip = this.options.s3.get(input.S3Bucket, input.S3Key);
      if (!zip) {
        throw invalidParameter(
          `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (${input.S3Bucket}/${input.S3Key})`,
        );
      }
    } else {
      throw invalidParameter('Please provide a source for function code: ZipFile, or S3Bucket and S3Key.');
    }
    if (!ZIP_MAGIC.some((magic) => zip.subarray(0, 4).equals(magic))) throw invalidParameter(UNZIP_FAILED);
    // Lambda unzips the package when it takes it: what cannot be unpacked is refused here, not at invoke
    const problem = await inspectZip(zip, LAMBDA_UNZIP_LIMITS);
    if (problem?.kind === 'too-large') {
      throw invalidParameter(`Unzipped size must be smaller than ${LAMBDA_UNZIPPED_BYTES} bytes`);
    }
    if (problem) throw invalidParameter(`${UNZIP_FAILED} (${problem.reason})`);
    return { zip };
  }

  private async create(request: CloudRequest): Promise<CloudResponse> {
    const input = this.parse(request);
    const name = input.FunctionName ?? '';
    if (!FUNCTION_NAME.test(name)) {
      throw new CloudError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint`,
      );
    }
    if (!input.Role)
      throw new CloudError(
        400,
        'ValidationException',
        "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null",
      );
    this.validateSettings(input);
    const packageType = input.PackageType ?? 'Zip';
    if (packageType === 'Zip' && (!input.Runtime || !input.Handler)) {
      throw invalidParameter(
        'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
      );
    }
    if (this.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const code = await this.code(input.Code ?? {}, packageType);
    // another create of the same name may have landed while the zip was checked
    if (this.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const behaviour = this.options.behaviour;
    if (!this.iam.exists(input.Role)) throw invalidParameter(ROLE_NOT_ASSUMABLE);
    if (behaviour.rolePropagationFailures > 0) {
      behaviour.rolePropagationFailures -= 1;
      throw invalidParameter(ROLE_NOT_ASSUMABLE);
    }
    const configuration: LambdaConfiguration = {
      FunctionName: name,
      FunctionArn: this.arn(name),
      ...(packageType === 'Zip' ? { Runtime: input.Runtime, Handler: input.Handler } : {}),
      Role: input.Role,
      CodeSize: code.zip?.length ?? 0,
      Description: input.Description ?? '',
      Timeout: input.Timeout ?? 3,
      MemorySize: input.MemorySize ?? 128,
      LastModified: lastModified(),
      CodeSha256: codeSha256(code),
      Version: '$LATEST',
      ...(input.Environment?.Variables ? { Environment: { Variables: input.Environment.Variables } } : {}),
      RevisionId: randomUUID(),
      State: 'Pending',
      StateReason: 'The function is being created.',
      StateReasonCode: 'Creating',
      LastUpdateStatus: 'Successful',
      PackageType: packageType,
      Architectures: input.Architectures ?? ['x86_64'],
      EphemeralStorage: { Size: 512 },
      ...(code.imageUri ? { ImageUri: code.imageUri } : {}),
    };
    const entry: Entry = {
      record: {
        configuration,
        tags: { ...(input.Tags ?? {}) },
        ...(code.zip ? { codeFile: 'code.zip' } : {}),
      },
      zip: code.zip,
      saving: Promise.resolve(),
    };
    this.functions.set(name, entry);
    this.save(entry, true);
    this.settleLater(entry, behaviour.pendingMs, (c) => {
      c.State = 'Active';
      delete c.StateReason;
      delete c.StateReasonCode;
    });
    return { status: 201, json: configuration };
  }

  /** Pending functions refuse every change; an update in progress refuses the next one. */
  private checkWritable(entry: Entry): void {
    const c = entry.record.configuration;
    if (c.State === 'Pending') {
      throw conflict(
        `The operation cannot be performed at this time. The function is currently in the following state: Pending`,
      );
    }
    if (c.LastUpdateStatus === 'InProgress') {
      throw conflict(
        `The operation cannot be performed at this time. An update is in progress for resource: ${c.FunctionArn}`,
      );
    }
    const behaviour = this.options.behaviour;
    if (behaviour.concurrentUpdates > 0) {
      behaviour.concurrentUpdates -= 1;
      this.startUpdate(entry);
      throw conflict(
        `The operation cannot be performed at this time. An update is in progress for resource: ${c.FunctionArn}`,
      );
    }
  }

  private checkRevision(entry: Entry, revisionId: string | undefined): void {
    if (revisionId !== undefined && revisionId !== entry.record.configuration.RevisionId) {
      throw new CloudError(
        412,
        'PreconditionFailedException',
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      );
    }
  }

  private startUpdate(entry: Entry): void {
    const c = entry.record.configuration;
    c.LastUpdateStatus = 'InProgress';
    c.LastUpdateStatusReason = 'The function is being updated.';
    c.LastUpdateStatusReasonCode = 'Updating';
    c.LastModified = lastModified();
    c.RevisionId = randomUUID();
    this.settleLater(entry, this.options.behaviour.updateMs, (settled) => {
      settled.LastUpdateStatus = 'Successful';
      delete settled.LastUpdateStatusReason;
      delete settled.LastUpdateStatusReasonCode;
    });
  }

  private async updateCode(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    const input = this.parse(request) as CodeInput;
    this.checkWritable(entry);
    this.checkRevision(entry, input.RevisionId);
    const c = entry.record.configuration;
    const revision = c.RevisionId;
    const code = await this.code(input, c.PackageType);
    // another update may have started while the zip was checked: Lambda lets one through
    if (c.RevisionId !== revision || c.LastUpdateStatus === 'InProgress') {
      throw conflict(
        `The operation cannot be performed at this time. An update is in progress for resource: ${c.FunctionArn}`,
      );
    }
    entry.zip = code.zip;
    c.CodeSha256 = codeSha256(code);
    c.CodeSize = code.zip?.length ?? 0;
    if (code.imageUri) c.ImageUri = code.imageUri;
    if (input.Architectures) c.Architectures = input.Architectures;
    this.startUpdate(entry);
    this.save(entry, true);
    return { status: 200, json: c };
  }

  private updateConfiguration(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    const input = this.parse(request);
    this.checkWritable(entry);
    this.checkRevision(entry, input.RevisionId);
    this.validateSettings(input);
    const c = entry.record.configuration;
    if (c.PackageType === 'Image' && (input.Runtime || input.Handler)) {
      throw invalidParameter(
        'Runtime and Handler are not supported for functions created with container images.',
      );
    }
    if (input.Role !== undefined && !this.iam.exists(input.Role)) throw invalidParameter(ROLE_NOT_ASSUMABLE);
    if (input.Role !== undefined) c.Role = input.Role;
    if (input.Runtime !== undefined) c.Runtime = input.Runtime;
    if (input.Handler !== undefined) c.Handler = input.Handler;
    if (input.Description !== undefined) c.Description = input.Description;
    if (input.Timeout !== undefined) c.Timeout = input.Timeout;
    if (input.MemorySize !== undefined) c.MemorySize = input.MemorySize;
    if (input.Environment !== undefined) c.Environment = { Variables: input.Environment.Variables ?? {} };
    this.startUpdate(entry);
    this.save(entry, false);
    return { status: 200, json: c };
  }

  private delete(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    const name = entry.record.configuration.FunctionName;
    clearTimeout(entry.timer);
    this.functions.delete(name);
    const records = this.options.records;
    if (records) entry.saving = entry.saving.then(() => records.remove(name));
    return { status: 204 };
  }

  private tag(request: CloudRequest): CloudResponse {
    const entry = this.find(request, 'Resource');
    const input = this.parse(request);
    this.checkPending(entry);
    this.validateTags(input.Tags ?? {});
    Object.assign(entry.record.tags, input.Tags ?? {});
    this.save(entry, false);
    return { status: 204 };
  }

  private untag(request: CloudRequest): CloudResponse {
    const entry = this.find(request, 'Resource');
    this.checkPending(entry);
    for (const key of request.query.getAll('tagKeys')) delete entry.record.tags[key];
    this.save(entry, false);
    return { status: 204 };
  }

  /** Tags and concurrency are not versioned settings: only a Pending function refuses them. */
  private checkPending(entry: Entry): void {
    if (entry.record.configuration.State === 'Pending') {
      throw conflict(
        'The operation cannot be performed at this time. The function is currently in the following state: Pending',
      );
    }
  }

  private putConcurrency(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    const input = JSON.parse(request.body.toString('utf8') || '{}') as {
      ReservedConcurrentExecutions?: number;
    };
    this.checkPending(entry);
    const value = input.ReservedConcurrentExecutions;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw invalidParameter('ReservedConcurrentExecutions must be a whole number ≥ 0');
    }
    entry.record.reservedConcurrency = value;
    this.save(entry, false);
    return { status: 200, json: { ReservedConcurrentExecutions: value } };
  }

  private deleteConcurrency(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    this.checkPending(entry);
    delete entry.record.reservedConcurrency;
    this.save(entry, false);
    return { status: 204 };
  }

  private codeLocation(name: string): string {
    const path = `${CODE_PATH}/${encodeURIComponent(name)}`;
    return `${this.options.baseUrl()}${path}?${CODE_SIGNATURE}=${urlSignature(this.options.auth, path)}`;
  }

  private get(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    const { configuration, tags, reservedConcurrency } = entry.record;
    const code =
      configuration.PackageType === 'Image'
        ? {
            RepositoryType: 'ECR',
            ImageUri: configuration.ImageUri,
            ResolvedImageUri: configuration.ImageUri?.includes('@') ? configuration.ImageUri : undefined,
          }
        : {
            RepositoryType: 'S3',
            Location: this.codeLocation(configuration.FunctionName),
          };
    return {
      status: 200,
      json: {
        Configuration: configuration,
        Code: code,
        Tags: tags,
        ...(reservedConcurrency === undefined
          ? {}
          : { Concurrency: { ReservedConcurrentExecutions: reservedConcurrency } }),
      },
    };
  }

  private listFunctions(request: CloudRequest): CloudResponse {
    const all = [...this.functions.values()]
      .map((entry) => entry.record.configuration)
      .sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
    const max = Math.min(Number(request.query.get('MaxItems') ?? 50) || 50, 50);
    const start = Number(request.query.get('Marker') ?? 0) || 0;
    const page = all.slice(start, start + max);
    const next = start + max < all.length ? String(start + max) : undefined;
    return { status: 200, json: { Functions: page, ...(next ? { NextMarker: next } : {}) } };
  }

  private async invoke(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    if (entry.record.configuration.State !== 'Active') {
      throw new CloudError(
        409,
        'ResourceConflictException',
        `The operation cannot be performed at this time. The function is currently in the following state: ${entry.record.configuration.State}`,
      );
    }
    const invoker = this.options.invoker;
    if (!invoker) {
      throw new CloudError(
        501,
        'ServiceException',
        'This local control plane records deployed functions but does not run them; invoke them through `faasport emulate` instead.',
      );
    }
    const result = await invoker(structuredClone(entry.record), entry.zip, request.body);
    return {
      status: 200,
      body: result.payload,
      headers: {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
      },
    };
  }

  private settleLater(
    entry: Entry,
    delayMs: number,
    settle: (configuration: LambdaConfiguration) => void,
  ): void {
    clearTimeout(entry.timer);
    const apply = () => {
      settle(entry.record.configuration);
      this.save(entry, false);
    };
    if (delayMs <= 0) {
      apply();
      return;
    }
    entry.timer = setTimeout(apply, delayMs);
    entry.timer.unref();
  }

  private save(entry: Entry, withCode: boolean): void {
    const records = this.options.records;
    if (!records) return;
    const snapshot = structuredClone(entry.record);
    const zip = withCode ? entry.zip : undefined;
    entry.saving = entry.saving.then(() => records.save(snapshot, zip));
  }
}

function lastModified(): string {
  return new Date().toISOString().replace('Z', '+0000');
}

/** base64(sha256(zip)), as Lambda reports it; for images, the digest in the URI. */
function codeSha256(code: { zip?: Buffer; imageUri?: string }): string {
  if (code.zip) return createHash('sha256').update(code.zip).digest('base64');
  const hex = /@sha256:([a-f0-9]{64})$/.exec(code.imageUri ?? '')?.[1];
  return hex ? Buffer.from(hex, 'hex').toString('base64') : '';
}
