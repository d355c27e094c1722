import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UserError } from '../common/errors';
import type { EngineName } from './engines/choose-engine';
import { type InspectRequest, parseInspect, withInspectValues } from './inspect/inspect-request';

/** What `serveUntilSignal` (emulator/serve.ts) runs with; `EmulateArgs` below is one. */
export interface ServeOptions {
  engine?: EngineName;
  host: string;
  port: number;
  lambdaPort: number;
  /** API Gateway websockets (when a function has `websocket` events); 3001 by default. */
  websocketPort?: number;
  /** Application Load Balancer (when a function has `alb` events); 3003 by default. */
  albPort?: number;
  gcpPort?: number;
  azurePort?: number;
  warm: 'eager' | 'lazy';
  idleTimeoutSeconds: number;
  maxConcurrency: number;
  watch?: boolean;
  strict?: boolean;
  publishOnChange?: boolean;
  artifacts?: 'local' | 'registry';
  /** Also serve the local control planes; what is deployed to them runs on the emulator's engine. */
  cloud?: boolean;
  /**
   * With `cloud`: the first of four consecutive ports for the planes (Lambda, S3, Azure Resource
   * Manager, Cloud Functions); 0 or absent = any free ports.
   */
  cloudPort?: number;
  /** With `cloud`: where the planes listen; loopback unless the user asks (`--cloud-host`). */
  cloudHost?: string;
  /** `json`: every event as NDJSON on stdout (emulator/events/), the banner on stderr. */
  logFormat?: 'text' | 'json';
  /** Serve the browser console at /__faasport/ (default on). */
  console?: boolean;
  /** `--inspect` / `--inspect-brk`. */
  inspect?: InspectRequest;
  /** `--docker-network`: a Docker network instances join. */
  dockerNetwork?: string;
}

/**
 * The flags of `faasport emulate`, which `sls emulate` / `sls offline` pass on too: one parser,
 * one validation, for the CLI and the plugin.
 */
export interface EmulateArgs {
  config: string;
  stage?: string;
  engine?: EngineName;
  host: string;
  port: number;
  lambdaPort: number;
  websocketPort: number;
  albPort: number;
  gcpPort: number;
  azurePort: number;
  warm: 'eager' | 'lazy';
  idleTimeoutSeconds: number;
  maxConcurrency: number;
  artifacts: 'local' | 'registry';
  /** Hot reload; on by default when functions run from local source. */
  watch: boolean;
  strict: boolean;
  publishOnChange: boolean;
  /** Also serve the local cloud control planes (endpoints in `.faasport/cloud.json`). */
  cloud: boolean;
  /** First of the four consecutive control-plane ports (0 = any free ports). */
  cloudPort: number;
  /** Address of the control planes: 127.0.0.1, whatever `--host` says, unless `--cloud-host`. */
  cloudHost: string;
  logFormat: 'text' | 'json';
  console: boolean;
  inspect?: InspectRequest;
  dockerNetwork?: string;
  help: boolean;
}

/** How many consecutive ports `--cloud-port` takes: Lambda, S3, Azure Resource Manager, Cloud Functions. */
export const CLOUD_PORT_COUNT = 4;

/**
 * The flags `parseEmulateArgs` understands (node:util parseArgs), which `faasport emulate --help`
 * lists one per line (cli/emulate/emulate-help.ts; a unit test holds them together).
 */
export const EMULATE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  stage: { type: 'string', short: 's' },
  engine: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'lambda-port': { type: 'string' },
  'websocket-port': { type: 'string' },
  'alb-port': { type: 'string' },
  'gcp-port': { type: 'string' },
  'azure-port': { type: 'string' },
  warm: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-concurrency': { type: 'string' },
  artifacts: { type: 'string' },
  watch: { type: 'boolean' },
  'no-watch': { type: 'boolean' },
  strict: { type: 'boolean' },
  'publish-on-change': { type: 'boolean' },
  cloud: { type: 'boolean' },
  'cloud-port': { type: 'string' },
  'cloud-host': { type: 'string' },
  'log-format': { type: 'string' },
  'no-console': { type: 'boolean' },
  inspect: { type: 'string', multiple: true },
  'docker-network': { type: 'string' },
  'inspect-brk': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

function integer(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > 65_535 * 1000) {
    throw new UserError(`--${name} must be a whole number${min ? ` ≥ ${min}` : ''}, got "${value}"`, {
      exitCode: 2,
    });
  }
  return parsed;
}

function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UserError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`, { exitCode: 2 });
  }
  return value as T;
}

/**
 * The planes deploy and run code as this user: they stay on loopback, whatever `--host` exposes,
 * unless the user names another address for them on purpose.
 */
function cloudHost(value: string | undefined, cloud: boolean): string {
  if (value === undefined) return '127.0.0.1';
  if (!cloud)
    throw new UserError('--cloud-host is for the local control planes: add --cloud', { exitCode: 2 });
  if (value.trim() === '')
    throw new UserError('--cloud-host needs an address, e.g. 127.0.0.1', { exitCode: 2 });
  return value.trim();
}

function cloudPort(value: string | undefined, cloud: boolean): number {
  if (value !== undefined && !cloud) {
    throw new UserError('--cloud-port is for the local control planes: add --cloud', { exitCode: 2 });
  }
  const port = integer(value, 'cloud-port', 0);
  if (port > 65_536 - CLOUD_PORT_COUNT) {
    throw new UserError(
      `--cloud-port ${port}: the planes take ${CLOUD_PORT_COUNT} consecutive ports, so at most ${65_536 - CLOUD_PORT_COUNT}`,
      { exitCode: 2 },
    );
  }
  return port;
}

export function parseEmulateArgs(argv: string[]): EmulateArgs {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: withInspectValues(argv),
      options: EMULATE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UserError((error as Error).message, { hint: 'see `faasport emulate --help`', exitCode: 2 });
  }
  const engine = oneOf(values.engine as string | undefined, 'engine', ['docker', 'process'] as const);
  const stage = values.stage as string | undefined;
  const artifacts =
    oneOf(values.artifacts as string | undefined, 'artifacts', ['local', 'registry'] as const) ?? 'local';
  if (values.watch === true && values['no-watch'] === true) {
    throw new UserError('--watch and --no-watch contradict each other', { exitCode: 2 });
  }
  const inspect = parseInspect(
    (values.inspect as string[] | undefined) ?? [],
    (values['inspect-brk'] as string[] | undefined) ?? [],
  );
  const dockerNetwork = values['docker-network'] as string | undefined;
  if (dockerNetwork !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(dockerNetwork)) {
    throw new UserError(`--docker-network must be a Docker network name, got "${dockerNetwork}"`, {
      exitCode: 2,
    });
  }
  return {
    ...(inspect ? { inspect } : {}),
    ...(dockerNetwork ? { dockerNetwork } : {}),
    config: (values.config as string | undefined) ?? 'serverless.yml',
    ...(stage ? { stage } : {}),
    ...(engine ? { engine } : {}),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: integer(values.port as string | undefined, 'port', 3000),
    lambdaPort: integer(values['lambda-port'] as string | undefined, 'lambda-port', 3002),
    websocketPort: integer(values['websocket-port'] as string | undefined, 'websocket-port', 3001),
    albPort: integer(values['alb-port'] as string | undefined, 'alb-port', 3003),
    gcpPort: integer(values['gcp-port'] as string | undefined, 'gcp-port', 8080),
    azurePort: integer(values['azure-port'] as string | undefined, 'azure-port', 7071),
    warm: oneOf(values.warm as string | undefined, 'warm', ['eager', 'lazy'] as const) ?? 'lazy',
    idleTimeoutSeconds: integer(values['idle-timeout'] as string | undefined, 'idle-timeout', 600),
    maxConcurrency: integer(values['max-concurrency'] as string | undefined, 'max-concurrency', 10, 1),
    artifacts,
    watch: values['no-watch'] === true ? false : values.watch === true || artifacts === 'local',
    strict: values.strict === true,
    publishOnChange: values['publish-on-change'] === true,
    cloud: values.cloud === true,
    cloudPort: cloudPort(values['cloud-port'] as string | undefined, values.cloud === true),
    cloudHost: cloudHost(values['cloud-host'] as string | undefined, values.cloud === true),
    logFormat:
      oneOf(values['log-format'] as string | undefined, 'log-format', ['text', 'json'] as const) ?? 'text',
    console: values['no-console'] !== true,
    help: values.help === true,
  };
}
