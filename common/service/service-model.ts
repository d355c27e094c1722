import { CLOUDS, type Cloud } from '../clouds';
import { UserError } from '../errors';
import { LOCAL_STATE } from '../local-state';
import { checkServiceKeys } from './check-keys';
import { type ImageBuildSettings, imageBuildOf } from './image-build';

/** A serverless.yml reduced to what faasport acts on, with defaults applied. */
export interface ServiceModel {
  service: string;
  stage: string;
  /** Folder of the serverless.yml: handler paths and package patterns are relative to it. */
  serviceDir: string;
  configFile: string;
  /** Per-target provider settings (`provider.targets.<cloud>`), as written. */
  targets: Partial<Record<Cloud, Record<string, unknown>>>;
  /** `custom.faasport`, as written. */
  custom: Record<string, unknown>;
  /** `custom.serverless-offline`, as written: what `sls emulate` takes over from a serverless-offline project. */
  serverlessOffline?: Record<string, unknown>;
  /** `provider.localStore`: the OCI layout used when a function has no sourceArtifact. */
  localStore: string;
  /** `provider.registry`: where `publish` puts a sourceArtifact written without a host. */
  registry: string | undefined;
  /** Provider-wide defaults as written (`provider.runtime`, `memorySize`, `role`, …). */
  providerDefaults: Record<string, unknown>;
  /** The whole `provider` block as written (gateway settings such as `apiGateway`, `alb`). */
  provider?: Record<string, unknown>;
  /** `plugins:` (a list, or `modules:` of an object): build tools, never packed with a function. */
  plugins: string[];
  /** Names faasport does not know and ignores (typos of known names are refused instead). */
  warnings: string[];
  functions: FunctionModel[];
  /** `provider.apiGateway` (REST API settings: API keys, models), as written. */
  apiGateway?: Record<string, unknown>;
  /** `provider.httpApi` (HTTP API settings: CORS, authorizers), as written. */
  httpApi?: Record<string, unknown>;
}

export interface FunctionModel {
  /** Key under `functions:`. */
  key: string;
  /** Deployed and emulated name: `<service>-<stage>-<key>` unless `name:` says otherwise. */
  name: string;
  handler: string | undefined;
  runtime: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  targets: Cloud[];
  /** Reference per target (one reference written once applies to all). */
  sourceArtifact: Partial<Record<Cloud, string>>;
  packageType: 'zip' | 'image' | undefined;
  /** `image:` — how the emulator rebuilds a container-image function on change (hot reload). */
  imageBuild: ImageBuildSettings | undefined;
  /** Service patterns, then the function's own. */
  packagePatterns: string[];
  events: Record<string, unknown>[];
  reservedConcurrency: number | undefined;
  provisionedConcurrency: number | undefined;
  url: boolean;
  /** `functions.<key>.<cloud>` overrides, as written. */
  overrides: Partial<Record<Cloud, Record<string, unknown>>>;
  /** The function's own settings as written, before provider defaults fill the gaps. */
  declared: Record<string, unknown>;
  /** A role written on the function (`role:`); provider and target roles come from settingFor. */
  role: string | undefined;
  description: string | undefined;
}

/** Serverless Framework's AWS defaults, which users of `sls` expect. */
export const DEFAULT_RUNTIME = 'nodejs22.x';
export const DEFAULT_MEMORY_MB = 1024;
export const DEFAULT_TIMEOUT_S = 6;

/**
 * The framework's naming convention for deployed and emulated functions,
 * `<service>-<stage>-<function>` (the framework writes it to `functions.<name>.name` itself).
 */
export function deployedFunctionName(service: string, stage: string, functionKey: string): string {
  return `${service}-${stage}-${functionKey}`;
}

type Raw = Record<string, unknown>;

/** Provider fields that are defaults for every function and target. */
const PROVIDER_DEFAULT_KEYS = ['runtime', 'memorySize', 'timeout', 'environment', 'role', 'architecture'];

/** Builds the model from a resolved configuration (the framework's, or our own loader's). */
export function toServiceModel(
  config: Raw,
  location: { serviceDir: string; configFile: string; stage?: string },
): ServiceModel {
  const file = location.configFile;
  const { warnings } = checkServiceKeys(config, file);
  const serviceField = config.service;
  const service =
    typeof serviceField === 'string'
      ? serviceField
      : isRecord(serviceField)
        ? String(serviceField.name ?? '')
        : '';
  if (!service)
    throw new UserError(`${file}: "service" is missing`, {
      hint: 'Add `service: <name>` at the top of the file.',
    });
  const provider = isRecord(config.provider) ? config.provider : {};
  const stage = location.stage ?? (typeof provider.stage === 'string' ? provider.stage : 'dev');
  const targets = (isRecord(provider.targets) ? provider.targets : {}) as ServiceModel['targets'];
  const servicePatterns = patternsOf(config.package, 'package.patterns', file);
  const custom = isRecord(config.custom) && isRecord(config.custom.faasport) ? config.custom.faasport : {};
  const functionsRaw = isRecord(config.functions) ? config.functions : {};
  const functions = Object.entries(functionsRaw).map(([key, value]) => {
    if (!isRecord(value)) throw new UserError(`${file}: functions.${key} must be an object`);
    return toFunctionModel(key, value, { service, stage, provider, targets, servicePatterns, file });
  });
  const providerDefaults: Raw = {};
  for (const key of PROVIDER_DEFAULT_KEYS)
    if (provider[key] !== undefined) providerDefaults[key] = provider[key];
  return {
    service,
    stage,
    serviceDir: location.serviceDir,
    configFile: file,
    targets,
    custom,
    localStore: typeof provider.localStore === 'string' ? provider.localStore : LOCAL_STATE.store,
    registry: typeof provider.registry === 'string' ? provider.registry : undefined,
    providerDefaults,
    provider,
    plugins: pluginsOf(config.plugins),
    warnings,
    functions,
    ...(isRecord(provider.apiGateway) ? { apiGateway: provider.apiGateway } : {}),
    ...(isRecord(provider.httpApi) ? { httpApi: provider.httpApi } : {}),
    ...(isRecord(config.custom) && isRecord(config.custom['serverless-offline'])
      ? { serverlessOffline: config.custom['serverless-offline'] }
      : {}),
  };
}

function pluginsOf(raw: unknown): string[] {
  const list = isRecord(raw) ? raw.modules : raw;
  return Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : [];
}

function toFunctionModel(
  key: string,
  raw: Raw,
  context: {
    service: string;
    stage: string;
    provider: Raw;
    targets: ServiceModel['targets'];
    servicePatterns: string[];
    file: string;
  },
): FunctionModel {
  const { provider, targets } = context;
  const configuredTargets = CLOUDS.filter((target) => targets[target] !== undefined);
  const fnTargets = Array.isArray(raw.targets)
    ? (raw.targets.filter((t) => CLOUDS.includes(t as Cloud)) as Cloud[])
    : undefined;
  const chosen = fnTargets ?? (configuredTargets.length ? configuredTargets : ['aws' as Cloud]);
  const source = raw.sourceArtifact;
  const sourceArtifact: FunctionModel['sourceArtifact'] = {};
  for (const target of chosen) {
    const reference = typeof source === 'string' ? source : isRecord(source) ? source[target] : undefined;
    if (typeof reference === 'string') sourceArtifact[target] = reference;
  }
  const overrides: FunctionModel['overrides'] = {};
  for (const target of CLOUDS) if (isRecord(raw[target])) overrides[target] = raw[target] as Raw;
  return {
    key,
    name: typeof raw.name === 'string' ? raw.name : deployedFunctionName(context.service, context.stage, key),
    handler: typeof raw.handler === 'string' ? raw.handler : undefined,
    runtime: stringOr(raw.runtime, stringOr(provider.runtime, DEFAULT_RUNTIME)),
    memorySize: numberOr(raw.memorySize, numberOr(provider.memorySize, DEFAULT_MEMORY_MB)),
    timeout: numberOr(raw.timeout, numberOr(provider.timeout, DEFAULT_TIMEOUT_S)),
    environment: { ...stringMap(provider.environment), ...stringMap(raw.environment) },
    targets: chosen,
    sourceArtifact,
    packageType: raw.packageType === 'zip' || raw.packageType === 'image' ? raw.packageType : undefined,
    imageBuild: imageBuildOf(key, raw, context.file),
    packagePatterns: [
      ...context.servicePatterns,
      ...patternsOf(raw.package, `functions.${key}.package.patterns`, context.file),
    ],
    events: Array.isArray(raw.events) ? raw.events.filter(isRecord) : [],
    reservedConcurrency: typeof raw.reservedConcurrency === 'number' ? raw.reservedConcurrency : undefined,
    provisionedConcurrency:
      typeof raw.provisionedConcurrency === 'number' ? raw.provisionedConcurrency : undefined,
    url: raw.url === true || isRecord(raw.url),
    overrides,
    declared: raw,
    role: typeof raw.role === 'string' ? raw.role : undefined,
    description: typeof raw.description === 'string' ? raw.description : undefined,
  };
}

/**
 * A function's setting for one cloud, most specific first: the per-target override
 * (`functions.f.aws.memorySize`), the function's own (`functions.f.memorySize`), the target's
 * default (`provider.targets.aws.memorySize`), the provider-wide default (`provider.memorySize`),
 * then `fallback`.
 */
export function settingFor<T>(
  model: ServiceModel,
  fn: FunctionModel,
  target: Cloud,
  key: string,
  fallback: T,
): T {
  const candidates = [
    fn.overrides[target]?.[key],
    fn.declared[key],
    model.targets[target]?.[key],
    model.providerDefaults[key],
  ];
  const found = candidates.find((value) => value !== undefined);
  return found !== undefined ? (found as T) : fallback;
}

/** Like settingFor, and says where the value was written (`functions.f.aws.memorySize`), for errors. */
export function settingWithPath(
  model: ServiceModel,
  fn: FunctionModel,
  target: Cloud,
  key: string,
): { value: unknown; path: string } | undefined {
  const layers: Array<[unknown, string]> = [
    [fn.overrides[target]?.[key], `functions.${fn.key}.${target}.${key}`],
    [fn.declared[key], `functions.${fn.key}.${key}`],
    [model.targets[target]?.[key], `provider.targets.${target}.${key}`],
    [model.providerDefaults[key], `provider.${key}`],
  ];
  const found = layers.find(([value]) => value !== undefined);
  return found ? { value: found[0], path: found[1] } : undefined;
}

/**
 * Environment variables for one cloud: provider, then target, then function, then the per-target
 * override; later layers win key by key.
 */
export function environmentFor(
  model: ServiceModel,
  fn: FunctionModel,
  target: Cloud,
): Record<string, string> {
  return {
    ...stringMap(model.providerDefaults.environment),
    ...stringMap(model.targets[target]?.environment),
    ...stringMap(fn.declared.environment),
    ...stringMap(fn.overrides[target]?.environment),
  };
}

/** `package.patterns`: a list of globs, refused otherwise (packing the wrong files is silent). */
function patternsOf(value: unknown, path: string, file: string): string[] {
  const patterns = isRecord(value) ? value.patterns : undefined;
  if (patterns === undefined || patterns === null) return [];
  if (!Array.isArray(patterns) || patterns.some((pattern) => typeof pattern !== 'string')) {
    throw new UserError(`${file}: ${path} must be a list of glob strings`, { exitCode: 2 });
  }
  return patterns;
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
