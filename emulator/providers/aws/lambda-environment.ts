import type { InstancePaths } from '../../engines/engine';

export interface LambdaFunctionConfig {
  /** Deployed name, `<service>-<stage>-<function>`. */
  name: string;
  /** Empty for an image whose command names the handler. */
  handler: string;
  /** Container image artefact (docker engine only). */
  image?: string;
  /** e.g. `nodejs22.x`, `python3.12`. */
  runtime: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  region: string;
  accountId: string;
}

export function functionArn(config: Pick<LambdaFunctionConfig, 'name' | 'region' | 'accountId'>): string {
  return `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.name}`;
}

/**
 * The variables a Lambda execution environment sees (reserved ones win over the user's, as in the
 * cloud). Credentials are placeholders: a local function must never pick up the host's. The
 * user's `environment` may override the credentials and `IS_OFFLINE`.
 */
export function lambdaEnvironment(
  config: LambdaFunctionConfig,
  paths: InstancePaths,
  runtimeApi: string,
  initializationType: 'on-demand' | 'provisioned-concurrency',
  instanceId: string,
): Record<string, string> {
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: `/opt/nodejs/node_modules:${paths.taskRoot}/node_modules`,
    AWS_ACCESS_KEY_ID: 'AKIAFAASPORTLOCAL000',
    AWS_SECRET_ACCESS_KEY: 'faasport-local-secret',
    AWS_SESSION_TOKEN: 'faasport-local-session',
    // What serverless-offline sets: projects point their SDK clients at local services on it.
    IS_OFFLINE: 'true',
    ...config.environment,
    ...(config.handler ? { _HANDLER: config.handler } : {}),
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${date}/[$LATEST]${instanceId}`,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    FAASPORT: '1',
  };
}
