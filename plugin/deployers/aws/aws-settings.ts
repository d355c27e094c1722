import { UserError } from '../../../common/errors';
import {
  environmentFor,
  type ServiceModel,
  settingFor,
  settingWithPath,
} from '../../../common/service/service-model';
import type { DeployUnit } from '../../planner/deploy-units';
import type { SettingValue } from '../../planner/diff';
import type { ResolvedSource } from '../../planner/resolved-source';

/** What serverless.yml asks of one Lambda function, in the API's terms. */
export interface LambdaSettings {
  Role: string;
  Runtime: string;
  Handler: string | undefined;
  MemorySize: number;
  Timeout: number;
  Environment: Record<string, string>;
  Description: string;
  Architectures: ['x86_64' | 'arm64'];
  ReservedConcurrency: number | undefined;
}

/** Lambda's documented quotas. */
const LIMITS = { memory: [128, 10_240], timeout: [1, 900], environmentBytes: 4096 } as const;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/\S+$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/** Environment variable that supplies a role when serverless.yml names none. */
export const ROLE_ENV = 'FAASPORT_AWS_ROLE';

/**
 * The role a function gets on the local Lambda plane (`--local-cloud`) when serverless.yml and
 * FAASPORT_AWS_ROLE name none: local planes, like LocalStack, take any role ARN and assume
 * nothing with it. Against AWS a missing role stays an error, before any call.
 */
export function localPlaceholderRole(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/faasport-local-lambda`;
}

function bad(model: ServiceModel, path: string, message: string, hint?: string): UserError {
  return new UserError(`${model.configFile}: ${path} ${message}`, { ...(hint ? { hint } : {}), exitCode: 2 });
}

function numberSetting(
  model: ServiceModel,
  unit: DeployUnit,
  key: string,
  fallback: number,
  range: readonly [number, number],
): number {
  const found = settingWithPath(model, unit.fn, 'aws', key);
  const value = found === undefined ? fallback : found.value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw bad(
      model,
      found?.path ?? key,
      `is ${JSON.stringify(value)}; AWS Lambda accepts a whole number from ${range[0]} to ${range[1]}`,
    );
  }
  return value;
}

/**
 * The execution role: function → target → provider → FAASPORT_AWS_ROLE → `localRole` (given only
 * when deploying to the local planes: `localPlaceholderRole`).
 */
export function roleFor(
  model: ServiceModel,
  unit: DeployUnit,
  env: NodeJS.ProcessEnv,
  localRole?: string,
): { role: string; accountId: string } {
  const found = settingWithPath(model, unit.fn, 'aws', 'role');
  const role = typeof found?.value === 'string' ? found.value : env[ROLE_ENV] || localRole;
  const path = found?.path ?? `functions.${unit.fn.key}.role`;
  if (!role) {
    throw bad(
      model,
      path,
      'is not set: AWS Lambda needs an execution role',
      `Set provider.targets.aws.role (or the function's role), or export ${ROLE_ENV}=arn:aws:iam::<account>:role/<name>. (Deploys to the local planes, --local-cloud, need none.)`,
    );
  }
  const match = ROLE_ARN.exec(role);
  if (!match)
    throw bad(
      model,
      found ? path : ROLE_ENV,
      `is "${role}", not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  return { role, accountId: match[1] ?? '' };
}

/** Settings of one function on Lambda; throws naming the serverless.yml path when out of bounds. */
export function lambdaSettings(
  model: ServiceModel,
  unit: DeployUnit,
  env: NodeJS.ProcessEnv,
  localRole?: string,
): LambdaSettings {
  const { fn } = unit;
  const environment = environmentFor(model, fn, 'aws');
  const size = Object.entries(environment).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (size > LIMITS.environmentBytes) {
    throw bad(
      model,
      `functions.${fn.key}.environment`,
      `adds up to ${size} bytes; AWS Lambda allows 4 KB of environment variables`,
    );
  }
  const architecture = settingFor<string>(model, fn, 'aws', 'architecture', 'x86_64');
  const reserved = settingFor<number | undefined>(model, fn, 'aws', 'reservedConcurrency', undefined);
  const handler = settingFor<string | undefined>(model, fn, 'aws', 'handler', undefined);
  return {
    Role: roleFor(model, unit, env, localRole).role,
    Runtime: settingFor<string>(model, fn, 'aws', 'runtime', fn.runtime),
    Handler: handler,
    MemorySize: numberSetting(model, unit, 'memorySize', fn.memorySize, LIMITS.memory),
    Timeout: numberSetting(model, unit, 'timeout', fn.timeout, LIMITS.timeout),
    Environment: environment,
    Description: fn.description ?? '',
    Architectures: [architecture === 'arm64' ? 'arm64' : 'x86_64'],
    ReservedConcurrency: reserved,
  };
}

/** Refusals once the artefact is known: a zip needs a handler; an image must be in ECR, same region. */
export function checkSource(
  model: ServiceModel,
  unit: DeployUnit,
  source: ResolvedSource,
  region: string,
): void {
  if (source.shape === 'zip') {
    if (!settingFor<string | undefined>(model, unit.fn, 'aws', 'handler', undefined)) {
      throw bad(
        model,
        `functions.${unit.fn.key}.handler`,
        'is missing: a zip function on AWS Lambda needs a handler (file.export)',
      );
    }
    return;
  }
  const reference = unit.reference;
  const ecr = reference.kind === 'registry' ? ECR_HOST.exec(reference.registry) : null;
  if (!ecr) {
    throw bad(
      model,
      unit.path,
      `is a container image at ${reference.kind === 'registry' ? reference.registry : 'a local layout'}; AWS Lambda runs images only from ECR (<account>.dkr.ecr.${region}.amazonaws.com)`,
      'Copy the image to ECR (faasport copy <ref> <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>) and point sourceArtifact.aws at it.',
    );
  }
  if (ecr[2] !== region) {
    throw bad(
      model,
      unit.path,
      `is in ECR region ${ecr[2]}; the function deploys to ${region}, and Lambda pulls only from its own region`,
    );
  }
}

/** The settings the diff compares (image functions have no runtime or handler). */
export function comparableSettings(
  settings: LambdaSettings,
  shape: 'zip' | 'image',
): Record<string, SettingValue> {
  const { Runtime, Handler, ...common } = settings;
  return shape === 'zip' ? { ...common, Runtime, Handler } : { ...common };
}
