import type { JsonSchema } from './schema';

/**
 * The schema of the AWS gateways beyond REST and HTTP API routes: API Gateway websockets, ALB
 * targets and API-wide settings. Kept beside schema.ts (same editing rules) and spread into it.
 */

const stringOrList: JsonSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  ],
};

/** A `$connect` authorizer: a function of the service by name, or `{ name | arn, identitySource }`. */
const websocketAuthorizer: JsonSchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        arn: { type: 'string', minLength: 1 },
        identitySource: stringOrList,
      },
      additionalProperties: false,
    },
  ],
};

export const awsGatewayEvents: Record<string, JsonSchema> = {
  /** API Gateway websocket route: `$connect`, `$disconnect`, `$default` or a custom route key. */
  websocket: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        properties: {
          route: { type: 'string', minLength: 1 },
          routeResponseSelectionExpression: { type: 'string', minLength: 1 },
          authorizer: websocketAuthorizer,
        },
        required: ['route'],
        additionalProperties: false,
      },
    ],
  },
  /** Application Load Balancer listener rule with this function as its target. */
  alb: {
    type: 'object',
    properties: {
      listenerArn: { type: 'string', minLength: 1 },
      priority: { type: 'integer', minimum: 1, maximum: 50000 },
      conditions: {
        type: 'object',
        properties: {
          path: stringOrList,
          method: stringOrList,
          host: stringOrList,
          ip: stringOrList,
          header: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1 },
              values: { type: 'array', items: { type: 'string' }, minItems: 1 },
            },
            required: ['name', 'values'],
            additionalProperties: false,
          },
          query: { type: 'object', additionalProperties: { type: 'string' } },
        },
        additionalProperties: false,
      },
      multiValueHeaders: { type: 'boolean' },
      targetGroupName: { type: 'string', minLength: 1 },
      healthCheck: { anyOf: [{ type: 'boolean' }, { type: 'object' }] },
    },
    required: ['listenerArn', 'priority', 'conditions'],
    additionalProperties: false,
  },
};

export const awsGatewayProviderSettings: Record<string, JsonSchema> = {
  /** How a websocket message picks its route (default `$request.body.action`). */
  websocketsApiRouteSelectionExpression: { type: 'string', minLength: 1 },
  alb: {
    type: 'object',
    properties: {
      targetGroupPrefix: { type: 'string' },
      authorizers: { type: 'object' },
    },
    additionalProperties: false,
  },
};
