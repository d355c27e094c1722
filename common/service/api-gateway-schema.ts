/**
 * The API Gateway part of the faasport schema: the Serverless Framework v3 keys existing
 * serverless-offline projects write for authorizers, API keys, `integration: lambda` templates,
 * CORS and request validation. schema.ts spreads these into its definitions, events and provider
 * (same rules: `additionalProperties: false`, `anyOf` for unions, `faasport` prefixes).
 */
import type { JsonSchema } from './schema';

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const stringOrList: JsonSchema = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
};

export const apiGatewayDefinitions: Record<string, JsonSchema> = {
  /** A mapping template, or one per content type. */
  faasportMappingTemplates: { anyOf: [{ type: 'string' }, stringMap] },
  /** `http.authorizer`: a function of the service by name or ARN, and how it is called. */
  faasportHttpAuthorizer: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          // A CloudFormation reference (`Fn::GetAtt` of a user pool) is known only once deployed.
          arn: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
          authorizerId: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
          claims: { type: 'array', items: { type: 'string' } },
          type: {
            enum: [
              'token',
              'request',
              'TOKEN',
              'REQUEST',
              'aws_iam',
              'AWS_IAM',
              'COGNITO_USER_POOLS',
              'cognito_user_pools',
              'custom',
              'CUSTOM',
            ],
          },
          identitySource: { type: 'string' },
          identityValidationExpression: { type: 'string' },
          resultTtlInSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
          managedExternally: { type: 'boolean' },
          scopes: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
  },
  faasportHttpRequestParameterGroup: {
    type: 'object',
    additionalProperties: {
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          properties: { required: { type: 'boolean' }, mappedValue: { type: 'string' } },
          additionalProperties: false,
        },
      ],
    },
  },
  /** `http.request`: templates for `integration: lambda`, validation of parameters and body. */
  faasportHttpRequest: {
    type: 'object',
    properties: {
      template: ref('faasportMappingTemplates'),
      passThrough: { enum: ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] },
      /** A JSON schema per content type, `{ schema, name, description }`, or a model's name. */
      schemas: { type: 'object', additionalProperties: { anyOf: [{ type: 'object' }, { type: 'string' }] } },
      parameters: {
        type: 'object',
        properties: {
          querystrings: ref('faasportHttpRequestParameterGroup'),
          headers: ref('faasportHttpRequestParameterGroup'),
          paths: ref('faasportHttpRequestParameterGroup'),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  /** `http.response` of `integration: lambda`: headers, template, status codes by error pattern. */
  faasportHttpResponse: {
    type: 'object',
    properties: {
      headers: stringMap,
      template: ref('faasportMappingTemplates'),
      statusCodes: {
        type: 'object',
        patternProperties: {
          '^[1-5][0-9][0-9]$': {
            type: 'object',
            properties: {
              pattern: { type: 'string' },
              template: ref('faasportMappingTemplates'),
              headers: stringMap,
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  faasportHttpApiCors: {
    anyOf: [
      { type: 'boolean' },
      {
        type: 'object',
        properties: {
          allowedOrigins: { type: 'array', items: { type: 'string' } },
          allowedHeaders: { type: 'array', items: { type: 'string' } },
          allowedMethods: { type: 'array', items: { type: 'string' } },
          allowCredentials: { type: 'boolean' },
          exposedResponseHeaders: { type: 'array', items: { type: 'string' } },
          maxAge: { type: 'integer', minimum: 0 },
        },
        additionalProperties: false,
      },
    ],
  },
  faasportHttpApiAuthorizer: {
    type: 'object',
    properties: {
      type: { enum: ['jwt', 'request'] },
      name: { type: 'string' },
      identitySource: stringOrList,
      issuerUrl: { type: 'string', minLength: 1 },
      audience: stringOrList,
      functionName: { type: 'string', minLength: 1 },
      functionArn: { type: 'string', minLength: 1 },
      resultTtlInSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
      enableSimpleResponses: { type: 'boolean' },
      payloadVersion: { enum: ['1.0', '2.0'] },
    },
    additionalProperties: false,
  },
  faasportApiKey: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          value: { type: 'string', minLength: 20 },
          description: { type: 'string' },
          customerId: { type: 'string' },
          enabled: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
};

/** Keys of the object form of an `http` event, beside method, path and cors. */
export const apiGatewayHttpEventProperties: Record<string, JsonSchema> = {
  integration: { enum: ['lambda', 'lambda-proxy', 'lambda_proxy', 'aws', 'aws_proxy', 'AWS', 'AWS_PROXY'] },
  authorizer: ref('faasportHttpAuthorizer'),
  private: { type: 'boolean' },
  request: ref('faasportHttpRequest'),
  response: ref('faasportHttpResponse'),
};

/** Keys of the object form of an `httpApi` event, beside method and path. */
export const apiGatewayHttpApiEventProperties: Record<string, JsonSchema> = {
  authorizer: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          scopes: { type: 'array', items: { type: 'string' } },
          type: { enum: ['aws_iam'] },
        },
        additionalProperties: false,
      },
    ],
  },
};

/** `provider.apiGateway` and `provider.httpApi`. */
export const apiGatewayProviderProperties: Record<string, JsonSchema> = {
  apiGateway: {
    type: 'object',
    properties: {
      apiKeys: {
        type: 'array',
        items: {
          anyOf: [
            ref('faasportApiKey'),
            {
              description: 'A usage plan and its keys: { <plan>: [keys] }.',
              type: 'object',
              propertyNames: { not: { enum: ['name', 'value', 'description', 'customerId', 'enabled'] } },
              minProperties: 1,
              additionalProperties: { type: 'array', items: ref('faasportApiKey') },
            },
          ],
        },
      },
      /** The media types sent to functions and answered as binary (base64 in events and results). */
      binaryMediaTypes: { type: 'array', items: { type: 'string', pattern: '^\\S+/\\S+$' } },
      /** Where private routes read their key: `x-api-key` (HEADER) or the authorizer's usageIdentifierKey. */
      apiKeySourceType: { enum: ['HEADER', 'AUTHORIZER'] },
      request: {
        type: 'object',
        properties: { schemas: { type: 'object', additionalProperties: { type: 'object' } } },
        additionalProperties: false,
      },
      // Deploy-time settings of the AWS provider with no effect on a local gateway: accepted.
      description: { type: 'string' },
      shouldStartNameWithService: { type: 'boolean' },
      metrics: { type: 'boolean' },
      disableDefaultEndpoint: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  httpApi: {
    type: 'object',
    properties: {
      cors: ref('faasportHttpApiCors'),
      authorizers: { type: 'object', additionalProperties: ref('faasportHttpApiAuthorizer') },
      // Deploy-time settings with no effect on a local gateway: accepted.
      name: { type: 'string' },
      metrics: { type: 'boolean' },
      disableDefaultEndpoint: { type: 'boolean' },
      useProviderTags: { type: 'boolean' },
    },
    additionalProperties: false,
  },
};
