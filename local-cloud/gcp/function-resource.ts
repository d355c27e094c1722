/**
 * A Cloud Functions v2 `Function` in its proto3 JSON form (camelCase, enums by name), as the local
 * control plane keeps it. Only the fields faasport and the SDK use are spelled out; the rest of
 * what a client sends is kept as given.
 */
export interface GcpFunctionResource {
  name: string;
  description?: string;
  buildConfig?: {
    runtime?: string;
    entryPoint?: string;
    source?: { storageSource?: StorageSource };
    environmentVariables?: Record<string, string>;
    serviceAccount?: string;
    [field: string]: unknown;
  };
  serviceConfig?: {
    timeoutSeconds?: number;
    availableMemory?: string;
    environmentVariables?: Record<string, string>;
    serviceAccountEmail?: string;
    /** Output only: the Cloud Run service URL. */
    uri?: string;
    [field: string]: unknown;
  };
  eventTrigger?: {
    eventType?: string;
    pubsubTopic?: string;
    eventFilters?: Array<{ attribute: string; value: string; operator?: string }>;
    retryPolicy?: string;
    [field: string]: unknown;
  };
  state: 'STATE_UNSPECIFIED' | 'ACTIVE' | 'FAILED' | 'DEPLOYING' | 'DELETING' | 'UNKNOWN';
  stateMessages?: Array<{ severity: string; type: string; message: string }>;
  labels?: Record<string, string>;
  environment: string;
  url?: string;
  createTime: string;
  updateTime: string;
  [field: string]: unknown;
}

export interface StorageSource {
  bucket: string;
  object: string;
  generation?: string;
}

/** Enum fields of a Function, by JSON path, with their values in number order. */
const FUNCTION_ENUMS: Record<string, readonly string[]> = {
  state: ['STATE_UNSPECIFIED', 'ACTIVE', 'FAILED', 'DEPLOYING', 'DELETING', 'UNKNOWN'],
  environment: ['ENVIRONMENT_UNSPECIFIED', 'GEN_1', 'GEN_2'],
  'eventTrigger.retryPolicy': ['RETRY_POLICY_UNSPECIFIED', 'RETRY_POLICY_DO_NOT_RETRY', 'RETRY_POLICY_RETRY'],
  'serviceConfig.ingressSettings': [
    'INGRESS_SETTINGS_UNSPECIFIED',
    'ALLOW_ALL',
    'ALLOW_INTERNAL_ONLY',
    'ALLOW_INTERNAL_AND_GCLB',
  ],
  'serviceConfig.vpcConnectorEgressSettings': [
    'VPC_CONNECTOR_EGRESS_SETTINGS_UNSPECIFIED',
    'PRIVATE_RANGES_ONLY',
    'ALL_TRAFFIC',
  ],
  'serviceConfig.securityLevel': ['SECURITY_LEVEL_UNSPECIFIED', 'SECURE_ALWAYS', 'SECURE_OPTIONAL'],
};
const SEVERITIES = ['SEVERITY_UNSPECIFIED', 'ERROR', 'WARNING', 'INFO'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rewrites each enum field in place: to its number (`enum-encoding=int`) or to its name. */
function mapEnums(fn: Json, convert: (value: unknown, names: readonly string[]) => unknown): void {
  for (const [path, names] of Object.entries(FUNCTION_ENUMS)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let parent: unknown = fn;
    for (const key of keys) parent = isObject(parent) ? parent[key] : undefined;
    if (isObject(parent) && parent[last] !== undefined) parent[last] = convert(parent[last], names);
  }
  if (Array.isArray(fn.stateMessages)) {
    for (const message of fn.stateMessages) {
      if (isObject(message)) message.severity = convert(message.severity, SEVERITIES);
    }
  }
}

/**
 * The function as the wire carries it. With `$alt=json;enum-encoding=int` (what the SDK's REST
 * transport asks for) enums go out as numbers, otherwise as names.
 */
export function encodeFunction(fn: GcpFunctionResource, intEnums: boolean): Json {
  const copy = structuredClone(fn) as Json;
  if (intEnums) mapEnums(copy, (value, names) => Math.max(0, names.indexOf(String(value))));
  return copy;
}

/** A function body from a request: enums sent as numbers become names. */
export function decodeFunction(body: Json): Json {
  const copy = structuredClone(body);
  mapEnums(copy, (value, names) => (typeof value === 'number' ? (names[value] ?? names[0]) : value));
  return copy;
}

/** Whether the request asked for numeric enums (`$alt=json;enum-encoding=int`). */
export function wantsIntEnums(query: URLSearchParams): boolean {
  return /enum-encoding=int/.test(query.get('$alt') ?? '');
}

const MEMORY = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/;

/** `256Mi`, `1Gi`, `512M` → MiB (decimal units rounded down to MiB). */
export function memoryMib(value: string): number | undefined {
  const match = MEMORY.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'Gi':
      return amount * 1024;
    case 'G':
      return Math.floor((amount * 1e9) / 1048576);
    case 'M':
      return Math.floor((amount * 1e6) / 1048576);
    default:
      return amount;
  }
}
