import { randomBytes, randomUUID } from 'node:crypto';
import { inspectZip } from '../../artifact/unzip/inspect-zip';
import { CloudError } from '../cloud-error';
import {
  type CloudApi,
  type CloudRequest,
  type CloudResponse,
  cloudRoute,
  openRoute,
} from '../control-plane-server';
import type { GcpInvoker } from '../invokers';
import { applyUpdate, parseUpdateMask } from './field-mask';
import type { GcpFunctionRecord, GcpFunctionRecords } from './function-records';
import {
  decodeFunction,
  encodeFunction,
  type GcpFunctionResource,
  memoryMib,
  wantsIntEnums,
} from './function-resource';
import {
  aborted,
  alreadyExists,
  authenticateGoogle,
  gcpErrorResponse,
  invalidArgument,
  notFound,
  RPC_CODES,
  resourceExhausted,
  unavailable,
} from './gcp-errors';
import type { GcpCloudBehaviour } from './gcp-faults';
import { SourceUploads } from './source-uploads';
import { StorageObjects } from './storage-objects';

/** Every method a Cloud Functions URL answers. */
const URL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Headers of the hop to the plane, not of the request the function sees. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export interface GcpFunctionsApiOptions {
  behaviour: GcpCloudBehaviour;
  records?: GcpFunctionRecords;
  invoker?: GcpInvoker;
  /** Cloud Storage objects a function's source may name (`storageSource` in a bucket of one's own). */
  storage?: StorageObjects;
  /** The server's own base URL, for upload and function URLs (known once it listens). */
  baseUrl(): string;
}

type Json = Record<string, unknown>;
type Verb = 'create' | 'update' | 'delete';

interface Entry {
  fn: GcpFunctionResource;
  zip: Buffer | undefined;
  timer?: NodeJS.Timeout;
  saving: Promise<void>;
}

interface Operation {
  name: string;
  metadata: Json;
  done: boolean;
  response?: Json;
  error?: { code: number; message: string };
}

const TYPE = 'type.googleapis.com/google.cloud.functions.v2';
const OPERATION_TYPES: Record<Verb, number> = { create: 1, update: 2, delete: 3 };
/** Source uploads: 100 MB zipped (cloud.google.com/functions/quotas), plus room for JSON calls. */
export const SOURCE_LIMIT = 100 * 1024 * 1024;
const FUNCTION_ID = /^[a-z][a-z0-9-]{2,61}[a-z0-9]$/;
const RUNTIME = /^(nodejs|python|go|java|ruby|php|dotnet)\d+$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const ROOT = '/v2/projects/{project}/locations/{location}';
/** Where the local plane serves a function's URL (HTTP functions are invoked there). */
export const FUNCTION_URL_PATH = '/__faasport/cloud/gcp/run';

/**
 * The Cloud Functions v2 REST subset the faasport deployer uses, with the documented behaviour:
 * create/update/delete are long-running operations that finish after a delay while the function
 * is DEPLOYING; updates honour `updateMask`; a second write during an operation gets 409 ABORTED;
 * sources come through `generateUploadUrl` and the signed PUT it hands out, or name an object
 * uploaded through the Cloud Storage JSON API subset served alongside.
 */
export class GcpFunctionsApi {
  private readonly functions = new Map<string, Entry>();
  private readonly operations = new Map<string, Operation>();
  private readonly uploads = new SourceUploads();
  private readonly storage: StorageObjects;
  private calls = 0;

  constructor(private readonly options: GcpFunctionsApiOptions) {
    this.storage =
      options.storage ??
      new StorageObjects({ behaviour: options.behaviour, baseUrl: () => options.baseUrl() });
  }

  async restore(): Promise<void> {
    for (const { function: fn, zip } of (await this.options.records?.load()) ?? []) {
      if (fn.state === 'DELETING') continue;
      if (fn.state === 'DEPLOYING') fn.state = 'ACTIVE';
      this.functions.set(fn.name, { fn, zip, saving: Promise.resolve() });
      if (zip && fn.buildConfig?.source?.storageSource)
        this.uploads.restore(fn.buildConfig.source.storageSource, zip);
    }
  }

  /** What is deployed now (for tests and the emulator). */
  list(): GcpFunctionRecord[] {
    return [...this.functions.values()].map((entry) => ({
      function: structuredClone(entry.fn),
      zip: entry.zip,
    }));
  }

  async close(): Promise<void> {
    for (const entry of this.functions.values()) clearTimeout(entry.timer);
    await Promise.all([...this.functions.values()].map((entry) => entry.saving));
  }

  api(): CloudApi {
    const r = cloudRoute;
    const storage = this.storage.routes();
    // Cloud Storage is another service: the Functions API's throttling and outages do not reach it.
    const unfaulted = new Set(['UploadSource', 'InvokeFunction', ...storage.map((route) => route.operation)]);
    return {
      provider: 'gcp',
      routes: [
        r('GET', `${ROOT}/functions/{function}`, 'GetFunction', false, (q) => this.get(q)),
        r('GET', `${ROOT}/functions`, 'ListFunctions', false, (q) => this.listFunctions(q)),
        r('POST', `${ROOT}/functions`, 'CreateFunction', true, (q) => this.create(q)),
        r('PATCH', `${ROOT}/functions/{function}`, 'UpdateFunction', true, (q) => this.update(q)),
        r('DELETE', `${ROOT}/functions/{function}`, 'DeleteFunction', true, (q) => this.delete(q)),
        r('POST', `${ROOT}/functions:generateUploadUrl`, 'GenerateUploadUrl', true, (q) =>
          this.generateUploadUrl(q),
        ),
        r('GET', `${ROOT}/operations/{operation}`, 'GetOperation', false, (q) => this.getOperation(q)),
        // A signed upload URL: SourceUploads checks its own signature.
        openRoute(r('PUT', '/upload/{bucket}/{object}', 'UploadSource', true, (q) => this.uploads.put(q))),
        ...URL_METHODS.flatMap((method) =>
          ['', '/{path+}'].map((rest) =>
            // A deployed function's URL: served like the gateway serves local functions.
            openRoute(
              r(
                method,
                `${FUNCTION_URL_PATH}/{project}/{location}/{function}${rest}`,
                'InvokeFunction',
                false,
                (q) => this.invoke(q),
              ),
            ),
          ),
        ),
        ...storage,
      ],
      bodyLimit: SOURCE_LIMIT,
      tooLarge: () => new CloudError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.'),
      errorResponse: gcpErrorResponse,
      authenticate: (request, auth) => authenticateGoogle(request.headers.authorization, auth),
      beforeCall: (route) => {
        if (unfaulted.has(route.operation)) return;
        this.calls += 1;
        const behaviour = this.options.behaviour;
        if (behaviour.unavailableNext > 0) {
          behaviour.unavailableNext -= 1;
          throw unavailable();
        }
        if (behaviour.throttleEvery > 0 && this.calls % behaviour.throttleEvery === 0)
          throw resourceExhausted();
      },
    };
  }

  private nameOf(request: CloudRequest): string {
    const { project, location, function: id } = request.params;
    return `projects/${project}/locations/${location}/functions/${id}`;
  }

  private find(request: CloudRequest): Entry {
    const name = this.nameOf(request);
    const entry = this.functions.get(name);
    if (!entry) throw notFound(`Resource '${name}' was not found`);
    return entry;
  }

  private parse(request: CloudRequest): Json {
    if (request.body.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch {
      throw invalidArgument('Invalid JSON payload received.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw invalidArgument('Invalid JSON payload received: expected an object.');
    return decodeFunction(parsed as Json);
  }

  private get(request: CloudRequest): CloudResponse {
    return { status: 200, json: encodeFunction(this.find(request).fn, wantsIntEnums(request.query)) };
  }

  private listFunctions(request: CloudRequest): CloudResponse {
    const { project, location } = request.params;
    const prefix = `projects/${project}/locations/${location}/functions/`;
    const all = [...this.functions.values()]
      .map((entry) => entry.fn)
      .filter((fn) => location === '-' || fn.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const size = Math.min(Number(request.query.get('pageSize') ?? 0) || 100, 100);
    const start = Number(request.query.get('pageToken') ?? 0) || 0;
    const ints = wantsIntEnums(request.query);
    const next = start + size < all.length ? String(start + size) : undefined;
    return {
      status: 200,
      json: {
        functions: all.slice(start, start + size).map((fn) => encodeFunction(fn, ints)),
        ...(next ? { nextPageToken: next } : {}),
      },
    };
  }

  private async create(request: CloudRequest): Promise<CloudResponse> {
    const { project, location } = request.params;
    const id = request.query.get('functionId') ?? request.query.get('function_id') ?? '';
    if (!FUNCTION_ID.test(id)) {
      throw invalidArgument(
        `Invalid function id "${id}": 4 to 63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen.`,
      );
    }
    const name = `projects/${project}/locations/${location}/functions/${id}`;
    if (this.functions.has(name)) throw alreadyExists(`Function ${name} already exists.`);
    const body = this.parse(request);
    const now = new Date().toISOString();
    const fn: GcpFunctionResource = {
      name,
      state: 'DEPLOYING',
      environment: 'GEN_2',
      createTime: now,
      updateTime: now,
    };
    applyUpdate(fn, body, undefined);
    const zip = this.validate(fn);
    const unpackable = await sourceProblem(zip);
    // another create of the same name may have landed while the source was checked
    if (this.functions.has(name)) throw alreadyExists(`Function ${name} already exists.`);
    this.setUrls(fn);
    const entry: Entry = { fn, zip, saving: Promise.resolve() };
    this.functions.set(name, entry);
    this.save(entry);
    const operation = this.startOperation(entry, 'create', unpackable, () => {
      entry.zip = zip;
    });
    const behaviour = this.options.behaviour;
    if (behaviour.lostCreateResponses > 0) {
      behaviour.lostCreateResponses -= 1;
      throw unavailable();
    }
    return { status: 200, json: this.encodeOperation(operation, request.query) };
  }

  private async update(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    this.checkIdle(entry);
    const mask = parseUpdateMask(request.query.get('updateMask') ?? request.query.get('update_mask'));
    const body = this.parse(request);
    const next = structuredClone(entry.fn);
    applyUpdate(next, body, mask);
    const zip = this.validate(next);
    const unpackable = await sourceProblem(zip);
    // another operation may have started while the source was checked
    if (entry.fn.state === 'DEPLOYING' || entry.fn.state === 'DELETING') throw aborted(entry.fn.name);
    this.setUrls(next);
    entry.fn.state = 'DEPLOYING';
    this.save(entry);
    // The new revision is visible once it is built and serving; until then, the old one is.
    const operation = this.startOperation(entry, 'update', unpackable, () => {
      entry.fn = { ...next, state: entry.fn.state, updateTime: new Date().toISOString() };
      entry.zip = zip;
    });
    return { status: 200, json: this.encodeOperation(operation, request.query) };
  }

  private delete(request: CloudRequest): CloudResponse {
    const entry = this.find(request);
    this.checkIdle(entry);
    entry.fn.state = 'DELETING';
    const operation = this.startOperation(entry, 'delete', undefined, () => {});
    return { status: 200, json: this.encodeOperation(operation, request.query) };
  }

  /** One operation at a time per function: a write meanwhile gets 409 ABORTED, as GCF answers. */
  private checkIdle(entry: Entry): void {
    if (entry.fn.state === 'DEPLOYING' || entry.fn.state === 'DELETING') throw aborted(entry.fn.name);
    const behaviour = this.options.behaviour;
    if (behaviour.abortedNext > 0) {
      behaviour.abortedNext -= 1;
      entry.fn.state = 'DEPLOYING';
      this.later(entry, () => {
        entry.fn.state = 'ACTIVE';
      });
      throw aborted(entry.fn.name);
    }
  }

  /** Synchronous refusals (400), as the API validates a request before starting an operation. */
  private validate(fn: GcpFunctionResource): Buffer {
    const build = fn.buildConfig ?? {};
    if (!build.runtime || !RUNTIME.test(build.runtime))
      throw invalidArgument(`Invalid runtime "${build.runtime ?? ''}": expected e.g. nodejs22 or python312.`);
    if (!build.entryPoint) throw invalidArgument('buildConfig.entryPoint is required.');
    const source = build.source?.storageSource;
    if (!source?.bucket || !source.object)
      throw invalidArgument('buildConfig.source.storageSource is required.');
    const zip = this.uploads.get(source) ?? this.storage.get(source);
    if (!zip) {
      const generation = source.generation ? ` (generation ${source.generation})` : '';
      throw invalidArgument(
        `Source gs://${source.bucket}/${source.object}${generation} does not exist: upload it first, to the URL generateUploadUrl returned or to that bucket.`,
      );
    }
    const memory = fn.serviceConfig?.availableMemory;
    if (memory !== undefined) {
      const mib = memoryMib(memory);
      if (mib === undefined || mib < 128 || mib > 32_768)
        throw invalidArgument(`Invalid availableMemory "${memory}": 128Mi to 32Gi.`);
    }
    const timeout = fn.serviceConfig?.timeoutSeconds;
    const maxTimeout = fn.eventTrigger ? 540 : 3600;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > maxTimeout)) {
      throw invalidArgument(
        `Invalid timeoutSeconds ${timeout}: ${fn.eventTrigger ? 'event-driven' : 'HTTP'} functions take 1 to ${maxTimeout}.`,
      );
    }
    const labels = Object.entries(fn.labels ?? {});
    if (labels.length > 64) throw invalidArgument('A function has at most 64 labels.');
    for (const [key, value] of labels) {
      if (!LABEL_KEY.test(key) || !LABEL_VALUE.test(String(value)))
        throw invalidArgument(
          `Invalid label ${key}=${value}: lowercase letters, digits, _ and -, at most 63 characters.`,
        );
    }
    const trigger = fn.eventTrigger;
    if (trigger) {
      if (!trigger.eventType) throw invalidArgument('eventTrigger.eventType is required.');
      if (
        trigger.eventType.startsWith('google.cloud.pubsub.') &&
        !/^projects\/[^/]+\/topics\/[^/]+$/.test(trigger.pubsubTopic ?? '')
      )
        throw invalidArgument('eventTrigger.pubsubTopic must be projects/<project>/topics/<topic>.');
      if (
        trigger.eventType.startsWith('google.cloud.storage.') &&
        !trigger.eventFilters?.some((f) => f.attribute === 'bucket')
      )
        throw invalidArgument('A Cloud Storage trigger needs an eventFilters entry for "bucket".');
    }
    return zip;
  }

  /** Output-only URLs: where the local plane serves the function. */
  private setUrls(fn: GcpFunctionResource): void {
    const [, project, , location, , id] = fn.name.split('/');
    const url = `${this.options.baseUrl()}${FUNCTION_URL_PATH}/${project}/${location}/${id}`;
    fn.url = url;
    fn.serviceConfig = { ...(fn.serviceConfig ?? {}), uri: url };
  }

  /** `unpackable`: why the build cannot unpack the source, if it cannot (see `sourceProblem`). */
  private startOperation(
    entry: Entry,
    verb: Verb,
    unpackable: string | undefined,
    land: () => void,
  ): Operation {
    const [, project, , location] = entry.fn.name.split('/');
    const operation: Operation = {
      name: `projects/${project}/locations/${location}/operations/operation-${Date.now()}-${randomBytes(6).toString('hex')}`,
      metadata: {
        '@type': `${TYPE}.OperationMetadata`,
        createTime: new Date().toISOString(),
        target: entry.fn.name,
        verb,
        apiVersion: 'v2',
        operationType: OPERATION_TYPES[verb],
      },
      done: false,
    };
    this.operations.set(operation.name, operation);
    const behaviour = this.options.behaviour;
    const injected = verb !== 'delete' && behaviour.failOperationsNext > 0;
    if (injected) behaviour.failOperationsNext -= 1;
    const failure = injected ? 'the build did not complete (injected failure)' : unpackable;
    this.later(entry, () => {
      operation.done = true;
      operation.metadata.endTime = new Date().toISOString();
      if (verb === 'delete') {
        this.functions.delete(entry.fn.name);
        const records = this.options.records;
        if (records) entry.saving = entry.saving.then(() => records.remove(entry.fn.name));
        operation.response = { '@type': 'type.googleapis.com/google.protobuf.Empty' };
        return;
      }
      if (failure) {
        const message = `Build failed for ${entry.fn.name}: ${failure}.`;
        entry.fn.state = 'FAILED';
        entry.fn.stateMessages = [{ severity: 'ERROR', type: 'BuildFailed', message }];
        operation.error = { code: RPC_CODES.INVALID_ARGUMENT, message };
      } else {
        land();
        entry.fn.state = 'ACTIVE';
        entry.fn.stateMessages = [];
        operation.response = { '@type': `${TYPE}.Function`, ...entry.fn };
      }
      this.save(entry);
    });
    return operation;
  }

  private later(entry: Entry, run: () => void): void {
    clearTimeout(entry.timer);
    const delay = this.options.behaviour.operationMs;
    if (delay <= 0) {
      run();
      return;
    }
    entry.timer = setTimeout(run, delay);
    entry.timer.unref();
  }

  private getOperation(request: CloudRequest): CloudResponse {
    const { project, location, operation: id } = request.params;
    const operation = this.operations.get(`projects/${project}/locations/${location}/operations/${id}`);
    if (!operation)
      throw notFound(`Operation 'projects/${project}/locations/${location}/operations/${id}' was not found`);
    return { status: 200, json: this.encodeOperation(operation, request.query) };
  }

  private encodeOperation(operation: Operation, query: URLSearchParams): Json {
    const ints = wantsIntEnums(query);
    const response =
      operation.response && operation.response['@type'] === `${TYPE}.Function`
        ? {
            '@type': `${TYPE}.Function`,
            ...encodeFunction(operation.response as unknown as GcpFunctionResource, ints),
          }
        : operation.response;
    return {
      name: operation.name,
      metadata: operation.metadata,
      done: operation.done,
      ...(operation.error ? { error: operation.error } : {}),
      ...(response ? { response } : {}),
    };
  }

  private generateUploadUrl(request: CloudRequest): CloudResponse {
    const { project, location } = request.params;
    const bucket = `gcf-v2-uploads-${project}-${location}`.slice(0, 63);
    const object = `${randomUUID()}.zip`;
    const uploadUrl = this.uploads.allow(this.options.baseUrl(), bucket, object);
    return { status: 200, json: { uploadUrl, storageSource: { bucket, object } } };
  }

  private async invoke(request: CloudRequest): Promise<CloudResponse> {
    const entry = this.find(request);
    if (entry.fn.state !== 'ACTIVE') {
      throw new CloudError(
        503,
        'UNAVAILABLE',
        `Function ${entry.fn.name} is ${entry.fn.state}, not serving.`,
      );
    }
    const invoker = this.options.invoker;
    if (!invoker) {
      throw new CloudError(
        501,
        'UNIMPLEMENTED',
        'This local control plane records deployed functions but does not run them; invoke them through `faasport emulate` instead.',
      );
    }
    const query = request.query.toString();
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || HOP_HEADERS.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one]);
    }
    const result = await invoker(structuredClone(entry.fn), entry.zip, {
      method: request.method,
      path: `/${request.params.path ?? ''}${query ? `?${query}` : ''}`,
      headers,
      body: request.body,
    });
    // One value per name on this server's responses: repeated headers are joined, as HTTP allows
    // for all but set-cookie.
    const out: Record<string, string> = {};
    for (const [name, value] of result.headers) {
      const key = name.toLowerCase();
      if (key === 'content-length' || key === 'transfer-encoding' || key === 'connection') continue;
      out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
    }
    return { status: result.status, body: result.body, headers: out };
  }

  private save(entry: Entry): void {
    const records = this.options.records;
    if (!records) return;
    const snapshot = { function: structuredClone(entry.fn), zip: entry.zip };
    entry.saving = entry.saving.then(() => records.save(snapshot));
  }
}

/**
 * The build unpacks the source: what is not a zip, or not one faasport would unpack (links,
 * paths out of the folder, bombs), fails there, not at the API call.
 */
async function sourceProblem(zip: Buffer): Promise<string | undefined> {
  if (!zip.subarray(0, 4).equals(ZIP_MAGIC)) return 'the source object is not a zip archive';
  const problem = await inspectZip(zip);
  return problem && `the source archive cannot be unpacked (${problem.reason})`;
}
