import { UserError } from '../../../../common/errors';
import type { GatewayResponse } from '../../../gateway/gateway-response';
import { jsonResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest, queryPairs } from '../../../gateway/http-request';
import type { LambdaInvokeResult } from '../lambda-function';
import { type ApiKey, type ApiKeySource, requestApiKey } from './api-keys';
import { gatewayErrors } from './authorizers/gateway-errors';
import type { RestMethodAuthorizer } from './authorizers/rest-authorizer';
import {
  type LambdaIntegrationSettings,
  lambdaIntegrationSettings,
} from './lambda-integration/integration-settings';
import {
  integrationRequest,
  integrationResponse,
  type MappingRequest,
  UnsupportedMediaType,
} from './lambda-integration/lambda-integration';
import { TemplateError } from './lambda-integration/velocity-template';
import { type RequestValidation, requestValidationOf, validateRequest } from './request-validation';
import { type RestCorsSettings, restCorsSettings, restIntegrationCorsHeaders } from './rest-cors';
import { restResponse, restThrottled } from './rest-event';

/** What one `http` event asks of API Gateway besides the route. */
export interface RestEndpointConfig {
  integration: 'proxy' | 'lambda';
  lambdaIntegration: LambdaIntegrationSettings | undefined;
  private: boolean;
  validation: RequestValidation | undefined;
  cors: RestCorsSettings | undefined;
}

// The framework accepts both spellings of the proxy integration (`lambda-proxy`, `lambda_proxy`).
const PROXY = new Set(['lambda-proxy', 'lambda_proxy', 'aws_proxy', 'aws-proxy']);
const NON_PROXY = new Set(['lambda', 'aws']);

export function restEndpointConfig(
  spec: Record<string, unknown>,
  models: Record<string, unknown> | undefined,
  where: string,
): RestEndpointConfig {
  const integration = String(spec.integration ?? 'lambda-proxy').toLowerCase();
  if (!PROXY.has(integration) && !NON_PROXY.has(integration))
    throw new UserError(`${where}.integration: "${String(spec.integration)}" is not emulated`, {
      hint: 'faasport runs lambda-proxy (the default) and lambda integrations.',
      exitCode: 2,
    });
  const proxy = PROXY.has(integration);
  return {
    integration: proxy ? 'proxy' : 'lambda',
    lambdaIntegration: proxy ? undefined : lambdaIntegrationSettings(spec, where),
    private: spec.private === true,
    validation: requestValidationOf(spec, models, where),
    cors: restCorsSettings(spec.cors, `${where}.cors`),
  };
}

export interface RestEndpointDeps {
  config: RestEndpointConfig;
  authorizer: RestMethodAuthorizer | undefined;
  apiKeys: ApiKey[];
  apiKeySource: ApiKeySource;
  /** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD><path>`. */
  methodArn: (method: string, path: string) => string;
  /** Invokes the route's function; undefined when throttled. */
  invoke: (payload: Buffer) => Promise<LambdaInvokeResult | undefined>;
  log: (line: string) => void;
}

/**
 * One REST method as API Gateway runs it: the Lambda authorizer, the API key (`private: true`),
 * the request validator, then the proxy or non-proxy (`integration: lambda`) integration.
 */
export class RestEndpoint {
  constructor(private readonly deps: RestEndpointDeps) {}

  /** `event` builds the proxy event (its requestContext is also the templates' `$context`). */
  async handle(
    request: GatewayRequest,
    params: Record<string, string>,
    path: string,
    event: () => Record<string, unknown>,
    /** The request accepts one of the API's binaryMediaTypes: a base64 result goes out decoded. */
    binaryResponse = false,
  ): Promise<{ response: GatewayResponse; result?: LambdaInvokeResult }> {
    const { config, authorizer } = this.deps;
    let authorizerContext: Record<string, unknown> | undefined;
    let usageIdentifierKey: string | undefined;
    if (authorizer) {
      const outcome = await authorizer.authorize(
        { headers: request.headers, query: queryPairs(request.rawQuery) },
        this.deps.methodArn(request.method, path),
        () => {
          const { body: _body, isBase64Encoded: _base64, ...rest } = event();
          return rest;
        },
      );
      if (!outcome.allowed) return { response: outcome.response };
      authorizerContext = outcome.authorizer;
      usageIdentifierKey = outcome.usageIdentifierKey;
    }
    // The usage plan's key is checked after the authorizer, then the request is validated.
    let apiKey: ApiKey | undefined;
    if (config.private) {
      apiKey = requestApiKey(this.deps.apiKeys, request, this.deps.apiKeySource, usageIdentifierKey);
      if (!apiKey) return { response: gatewayErrors.forbidden() };
    }
    if (config.validation) {
      const refused = validateRequest(config.validation, request, params, (problem) =>
        this.deps.log(`${request.method} ${request.path}: invalid request body: ${problem}`),
      );
      if (refused) return { response: refused };
    }
    const proxyEvent = event();
    const context = record(proxyEvent.requestContext);
    if (authorizerContext) context.authorizer = authorizerContext;
    if (apiKey) Object.assign(record(context.identity), { apiKey: apiKey.value, apiKeyId: apiKey.id });
    proxyEvent.requestContext = context;
    if (config.integration === 'proxy') {
      const result = await this.deps.invoke(Buffer.from(JSON.stringify(proxyEvent)));
      if (!result) return { response: restThrottled() };
      return {
        response: restResponse(result.payload, Boolean(result.functionError), binaryResponse),
        result,
      };
    }
    return this.lambdaIntegration(request, proxyEvent, context);
  }

  private async lambdaIntegration(
    request: GatewayRequest,
    proxyEvent: Record<string, unknown>,
    context: Record<string, unknown>,
  ): Promise<{ response: GatewayResponse; result?: LambdaInvokeResult }> {
    const settings = this.deps.config.lambdaIntegration as LambdaIntegrationSettings;
    const mapping: MappingRequest = {
      body: request.body.toString('utf8'),
      contentType: firstHeader(request, 'content-type'),
      method: request.method,
      stage: String(context.stage ?? ''),
      resourcePath: String(context.resourcePath ?? proxyEvent.resource ?? ''),
      params: {
        path: stringRecord(proxyEvent.pathParameters),
        querystring: stringRecord(proxyEvent.queryStringParameters),
        header: stringRecord(proxyEvent.headers),
      },
      context,
    };
    let payload: Buffer;
    try {
      payload = integrationRequest(settings, mapping);
    } catch (error) {
      if (error instanceof UnsupportedMediaType)
        return { response: jsonResponse(415, { message: 'Unsupported Media Type' }) };
      if (!(error instanceof TemplateError)) throw error;
      this.deps.log(`${request.method} ${request.path}: ${error.message}`);
      return { response: jsonResponse(500, { message: 'Internal server error' }) };
    }
    const result = await this.deps.invoke(payload);
    if (!result) return { response: restThrottled() };
    const cors = this.deps.config.cors ? restIntegrationCorsHeaders(this.deps.config.cors) : [];
    return {
      response: integrationResponse(
        settings,
        { payload: result.payload, failed: Boolean(result.functionError) },
        mapping,
        cors,
      ),
      result,
    };
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([key, v]) => [key, String(v)]));
}
