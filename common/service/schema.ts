/**
 * The `faasport` provider's configuration schema, handed to the framework's
 * `configSchemaHandler.defineProvider`. The framework validates serverless.yml against it with
 * ajv in strict mode before any command runs, so a typo fails with the path of the bad field.
 *
 * Rules for editing: every object has `additionalProperties: false`; union types are written as
 * `anyOf` (ajv strict mode refuses `type: [...]`); definitions are prefixed `faasport` because
 * they share one namespace with the framework's and other plugins' definitions; references use
 * `#/definitions/<name>` only (the framework inlines nothing else).
 */

import { CLOUDS, type Cloud } from '../clouds';
import {
  apiGatewayDefinitions,
  apiGatewayHttpApiEventProperties,
  apiGatewayHttpEventProperties,
  apiGatewayProviderProperties,
} from './api-gateway-schema';
import { awsGatewayEvents, awsGatewayProviderSettings } from './aws-gateway-schema';

export const PROVIDER_NAME = 'faasport';

export type JsonSchema = { [keyword: string]: unknown };

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });

const definitions: Record<string, JsonSchema> = {
  faasportArtifactReference: {
    description:
      'An OCI reference: <registry>/<repository>:<tag>, <registry>/<repository>@sha256:<hex>, or oci:<dir>:<tag> for a local layout.',
    type: 'string',
    pattern: '^\\S+$',
  },
  faasportSourceArtifact: {
    anyOf: [
      ref('faasportArtifactReference'),
      {
        description: 'One reference per target, when each target pulls from its own registry.',
        type: 'object',
        properties: Object.fromEntries(CLOUDS.map((cloud) => [cloud, ref('faasportArtifactReference')])),
        additionalProperties: false,
        minProperties: 1,
      },
    ],
  },
  faasportTarget: { enum: [...CLOUDS] },
  faasportTargets: {
    type: 'array',
    items: ref('faasportTarget'),
    minItems: 1,
    uniqueItems: true,
  },
  faasportPackageType: { enum: ['image', 'zip'] },
  faasportArchitecture: { enum: ['x86_64', 'arm64'] },
  /** Serverless-style runtime ids (`nodejs22.x`, `python3.12`); deployers map them per cloud. */
  faasportRuntime: {
    type: 'string',
    pattern:
      '^(nodejs\\d+\\.x|python3\\.\\d+|java\\d+|dotnet\\d+|ruby\\d+\\.\\d+|provided(\\.al2|\\.al2023)?)$',
  },
  /** A cloud's own runtime id in a per-target override (`nodejs22` on GCP, `node` on Azure). */
  faasportTargetRuntime: { type: 'string', pattern: '^[a-z][a-z0-9._-]*$' },
  /** MB. The widest range the three clouds accept; each deployer checks its own limits. */
  faasportMemorySize: { type: 'integer', minimum: 128, maximum: 32768 },
  /** Seconds. */
  faasportTimeout: { type: 'integer', minimum: 1, maximum: 3600 },
  faasportEnvironment: {
    type: 'object',
    patternProperties: {
      '^[A-Za-z_][A-Za-z0-9_]*$': { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    },
    additionalProperties: false,
  },
  faasportHandler: { type: 'string', minLength: 1 },
  faasportRole: { type: 'string', minLength: 1 },
  faasportConcurrency: { type: 'integer', minimum: 0 },
  /**
   * An asynchronous invocation's destination, as the framework takes it: a function key of the
   * service or an ARN, or `{ type, arn }` with a CloudFormation reference (`Fn::GetAtt`, …).
   */
  faasportDestination: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: { type: { enum: ['function', 'sqs', 'sns', 'eventBus'] }, arn: { type: 'object' } },
        required: ['type', 'arn'],
        additionalProperties: false,
      },
    ],
  },
  faasportPackage: {
    type: 'object',
    properties: {
      patterns: { type: 'array', items: { type: 'string' } },
      individually: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  faasportAwsTarget: {
    type: 'object',
    properties: {
      region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
      registry: { type: 'string', minLength: 1 },
      /** S3 bucket that stages zips above Lambda's inline limit; the plugin creates one when unset. */
      deploymentBucket: { type: 'string', minLength: 3 },
      /** Zips up to this size go inline in the API call, larger ones through S3 (default and maximum 50 MiB). */
      inlineZipMaxBytes: { type: 'integer', minimum: 0, maximum: 52428800 },
      /** Seconds to wait for a role Lambda cannot assume yet, once IAM says it exists (default 60). */
      rolePropagationTimeout: { type: 'integer', minimum: 0, maximum: 900 },
      role: ref('faasportRole'),
      runtime: ref('faasportRuntime'),
      architecture: ref('faasportArchitecture'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
    },
    additionalProperties: false,
  },
  faasportAzureTarget: {
    type: 'object',
    properties: {
      location: { type: 'string', minLength: 1 },
      registry: { type: 'string', minLength: 1 },
      subscriptionId: { type: 'string', minLength: 1 },
      resourceGroup: { type: 'string', minLength: 1 },
      /** Storage account for the run-from-package blobs and AzureWebJobsStorage. */
      storageAccount: { type: 'string', pattern: '^[a-z0-9]{3,24}$' },
      /** Blob container for the packages (default faasport-packages). */
      storageContainer: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$' },
      plan: {
        type: 'object',
        properties: {
          sku: { enum: ['premium', 'dedicated', 'flex'] },
          /** Resource id of an existing App Service plan. */
          id: { type: 'string', minLength: 1 },
        },
        additionalProperties: false,
      },
      runtime: ref('faasportRuntime'),
      architecture: ref('faasportArchitecture'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
    },
    additionalProperties: false,
  },
  faasportGcpTarget: {
    type: 'object',
    properties: {
      region: { type: 'string', minLength: 1 },
      project: { type: 'string', minLength: 1 },
      registry: { type: 'string', minLength: 1 },
      /** Bucket for source objects; without it the deployer uses generateUploadUrl. */
      bucket: { type: 'string', minLength: 3 },
      serviceAccount: { type: 'string', minLength: 1 },
      runtime: ref('faasportRuntime'),
      architecture: ref('faasportArchitecture'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
    },
    additionalProperties: false,
  },
  faasportAwsFunctionOverride: {
    type: 'object',
    properties: {
      handler: ref('faasportHandler'),
      runtime: ref('faasportTargetRuntime'),
      architecture: ref('faasportArchitecture'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
      role: ref('faasportRole'),
      reservedConcurrency: ref('faasportConcurrency'),
    },
    additionalProperties: false,
  },
  faasportAzureFunctionOverride: {
    type: 'object',
    properties: {
      /** The script the Node v4 model host loads (registers its functions with `app.*`). */
      entryPoint: ref('faasportHandler'),
      runtime: ref('faasportTargetRuntime'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
    },
    additionalProperties: false,
  },
  faasportGcpFunctionOverride: {
    type: 'object',
    properties: {
      /** The exported or registered function name (functions-framework target). */
      entryPoint: ref('faasportHandler'),
      runtime: ref('faasportTargetRuntime'),
      memorySize: ref('faasportMemorySize'),
      timeout: ref('faasportTimeout'),
      environment: ref('faasportEnvironment'),
      /** Requests one instance serves at once (Cloud Run concurrency; the emulator honours it). */
      concurrency: { type: 'integer', minimum: 1, maximum: 1000 },
      maxInstances: { type: 'integer', minimum: 1 },
      /** Emulator only: how long a request waits for a free instance before a 429. */
      queueTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
      serviceAccount: { type: 'string', minLength: 1 },
    },
    additionalProperties: false,
  },
  /**
   * Emulator hot reload of a container-image function: the command that rebuilds it (an argument
   * list, run without a shell from the service folder), what to watch, and the tag it produces.
   */
  faasportImageBuild: {
    type: 'object',
    properties: {
      build: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
      watch: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
      tag: { type: 'string', pattern: '^\\S+$' },
    },
    required: ['build'],
    additionalProperties: false,
  },
  faasportHttpMethod: {
    type: 'string',
    pattern:
      '^(?:\\*|[Gg][Ee][Tt]|[Pp][Oo][Ss][Tt]|[Pp][Uu][Tt]|[Pp][Aa][Tt][Cc][Hh]|[Dd][Ee][Ll][Ee][Tt][Ee]|[Hh][Ee][Aa][Dd]|[Oo][Pp][Tt][Ii][Oo][Nn][Ss]|[Aa][Nn][Yy])$',
  },
  faasportCors: {
    anyOf: [
      { type: 'boolean' },
      {
        type: 'object',
        properties: {
          origin: { type: 'string' },
          origins: { type: 'array', items: { type: 'string' } },
          headers: { type: 'array', items: { type: 'string' } },
          allowCredentials: { type: 'boolean' },
          maxAge: { type: 'integer', minimum: 0 },
          cacheControl: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
  },
  ...apiGatewayDefinitions,
};

const functionEvents: Record<string, JsonSchema> = {
  /** API Gateway REST (payload 1.0): `GET /items/{id}` or `{ method, path }`. */
  http: {
    anyOf: [
      { type: 'string', pattern: '^\\S+ \\S+$' },
      {
        type: 'object',
        properties: {
          method: ref('faasportHttpMethod'),
          path: { type: 'string', minLength: 1 },
          cors: ref('faasportCors'),
          operationId: { type: 'string', minLength: 1 },
          ...apiGatewayHttpEventProperties,
        },
        required: ['method', 'path'],
        additionalProperties: false,
      },
    ],
  },
  /** API Gateway HTTP API (payload 2.0): `*`, `GET /items/{id}` or `{ method, path }`. */
  httpApi: {
    anyOf: [
      { type: 'string', pattern: '^(?:\\*|\\S+ \\S+)$' },
      {
        type: 'object',
        properties: {
          method: ref('faasportHttpMethod'),
          path: { type: 'string', minLength: 1 },
          ...apiGatewayHttpApiEventProperties,
        },
        required: ['path'],
        additionalProperties: false,
      },
    ],
  },
  schedule: {
    anyOf: [
      { type: 'string', pattern: '^(?:rate|cron)\\(.+\\)$' },
      {
        type: 'object',
        properties: {
          rate: {
            anyOf: [
              { type: 'string', pattern: '^(?:rate|cron)\\(.+\\)$' },
              { type: 'array', items: { type: 'string', pattern: '^(?:rate|cron)\\(.+\\)$' }, minItems: 1 },
            ],
          },
          enabled: { type: 'boolean' },
          name: { type: 'string' },
          description: { type: 'string' },
          input: { anyOf: [{ type: 'string' }, { type: 'object' }] },
        },
        required: ['rate'],
        additionalProperties: false,
      },
    ],
  },
  sqs: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          arn: { type: 'string', minLength: 1 },
          batchSize: { type: 'integer', minimum: 1, maximum: 10000 },
          maximumBatchingWindow: { type: 'integer', minimum: 0, maximum: 300 },
          functionResponseType: { enum: ['ReportBatchItemFailures'] },
          enabled: { type: 'boolean' },
        },
        required: ['arn'],
        additionalProperties: false,
      },
    ],
  },
  sns: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          topicName: { type: 'string', minLength: 1 },
          arn: { type: 'string', minLength: 1 },
          filterPolicy: { type: 'object' },
        },
        additionalProperties: false,
      },
    ],
  },
  s3: {
    anyOf: [
      { type: 'string', minLength: 3 },
      {
        type: 'object',
        properties: {
          bucket: { type: 'string', minLength: 3 },
          event: { type: 'string', pattern: '^s3:' },
          rules: {
            type: 'array',
            items: {
              type: 'object',
              properties: { prefix: { type: 'string' }, suffix: { type: 'string' } },
              additionalProperties: false,
            },
          },
          existing: { type: 'boolean' },
        },
        required: ['bucket'],
        additionalProperties: false,
      },
    ],
  },
  /** GCP Pub/Sub trigger (CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`). */
  pubsub: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: { topic: { type: 'string', minLength: 1 } },
        required: ['topic'],
        additionalProperties: false,
      },
    ],
  },
  /** GCP Cloud Storage trigger (CloudEvent `google.cloud.storage.object.v1.<event>`). */
  storage: {
    type: 'object',
    properties: {
      bucket: { type: 'string', minLength: 3 },
      event: { enum: ['finalized', 'deleted', 'archived', 'metadataUpdated'] },
    },
    required: ['bucket'],
    additionalProperties: false,
  },
  ...awsGatewayEvents,
};

/** Settings shared by provider-level defaults and a function: what every target reads. */
const commonFunctionSettings: Record<string, JsonSchema> = {
  runtime: ref('faasportRuntime'),
  architecture: ref('faasportArchitecture'),
  memorySize: ref('faasportMemorySize'),
  timeout: ref('faasportTimeout'),
  environment: ref('faasportEnvironment'),
  role: ref('faasportRole'),
};

/** `provider.targets.<cloud>`: each cloud's own settings (a new cloud needs its definition). */
const targetSettings: Record<Cloud, JsonSchema> = {
  aws: ref('faasportAwsTarget'),
  azure: ref('faasportAzureTarget'),
  gcp: ref('faasportGcpTarget'),
};

/** `functions.<name>.<cloud>`: each cloud's per-function overrides. */
const functionOverrides: Record<Cloud, JsonSchema> = {
  aws: ref('faasportAwsFunctionOverride'),
  azure: ref('faasportAzureFunctionOverride'),
  gcp: ref('faasportGcpFunctionOverride'),
};

const provider: JsonSchema = {
  properties: {
    stage: { type: 'string', pattern: '^[a-zA-Z0-9-]+$' },
    /** Default registry for `faasport publish` when a reference has no host. */
    registry: { type: 'string', minLength: 1 },
    /** Local OCI image layout used when no registry is configured (default `.faasport/store`). */
    localStore: { type: 'string', minLength: 1 },
    ...commonFunctionSettings,
    ...awsGatewayProviderSettings,
    ...apiGatewayProviderProperties,
    targets: {
      type: 'object',
      properties: targetSettings,
      additionalProperties: false,
      minProperties: 1,
    },
  },
};

const functionProperties: JsonSchema = {
  properties: {
    /** AWS-style `file.export`; the default entry point for every target unless overridden. */
    handler: ref('faasportHandler'),
    description: { type: 'string', maxLength: 256 },
    sourceArtifact: ref('faasportSourceArtifact'),
    packageType: ref('faasportPackageType'),
    image: ref('faasportImageBuild'),
    targets: ref('faasportTargets'),
    ...commonFunctionSettings,
    reservedConcurrency: ref('faasportConcurrency'),
    provisionedConcurrency: ref('faasportConcurrency'),
    /** Asynchronous invocations (Event invokes, schedules): retries after a function error. */
    maximumRetryAttempts: { type: 'integer', minimum: 0, maximum: 2 },
    /** Seconds an asynchronous event may wait for its run or retry. */
    maximumEventAge: { type: 'integer', minimum: 60, maximum: 21600 },
    destinations: {
      type: 'object',
      properties: { onSuccess: ref('faasportDestination'), onFailure: ref('faasportDestination') },
      additionalProperties: false,
    },
    url: {
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          properties: { cors: ref('faasportCors'), invokeMode: { enum: ['BUFFERED', 'RESPONSE_STREAM'] } },
          additionalProperties: false,
        },
      ],
    },
    package: ref('faasportPackage'),
    ...functionOverrides,
  },
};

export type ProviderSchema = {
  definitions: Record<string, JsonSchema>;
  provider: JsonSchema;
  function: JsonSchema;
  functionEvents: Record<string, JsonSchema>;
};

/**
 * The argument of `configSchemaHandler.defineProvider(PROVIDER_NAME, …)`. A fresh copy each time:
 * the framework rewrites `$ref`s in place while it compiles the schema.
 */
export function providerSchema(): ProviderSchema {
  return structuredClone({ definitions, provider, function: functionProperties, functionEvents });
}
