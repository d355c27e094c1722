import type { GatewayResponse } from '../../../../gateway/gateway-response';
import { jsonResponse } from '../../../../gateway/gateway-response';
import { defaultLambdaRequest } from './default-request';
import type { LambdaIntegrationSettings, StatusCodeRule } from './integration-settings';
import { jsonPath } from './json-path';
import { type MethodParams, templateScope } from './template-scope';
import { TemplateError } from './velocity-template';

/** What a REST method request offers a mapping template. */
export interface MappingRequest {
  body: string;
  contentType: string | undefined;
  method: string;
  stage: string;
  resourcePath: string;
  params: MethodParams;
  /** `$context`, with `identity` and (after an authorizer) `authorizer`. */
  context: Record<string, unknown>;
}

/** A body no template maps, on a route whose passthrough behaviour refuses it (415). */
export class UnsupportedMediaType extends Error {}

/** The framework's default templates cover these types. */
const DEFAULT_TEMPLATE_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

/**
 * The payload a function behind `integration: lambda` receives: the route's template for the
 * request's content type, else the framework's default event (JSON and forms), else the body as
 * it is (`passThrough: WHEN_NO_MATCH`, API Gateway's default) or UnsupportedMediaType. Throws
 * TemplateError when a template, or a body passed through, is not JSON (API Gateway answers 500).
 */
export function integrationRequest(settings: LambdaIntegrationSettings, request: MappingRequest): Buffer {
  const type = mediaType(request.contentType) ?? 'application/json';
  const template = settings.requestTemplates[type];
  if (!template && !DEFAULT_TEMPLATE_TYPES.has(type)) {
    // The framework always defines templates (its defaults), so only WHEN_NO_MATCH passes through.
    if (settings.passThrough !== 'WHEN_NO_MATCH') throw new UnsupportedMediaType(type);
    try {
      JSON.parse(request.body);
    } catch {
      throw new TemplateError(`a ${type} body passed through to the function is not JSON`);
    }
    return Buffer.from(request.body);
  }
  if (!template) {
    const event = defaultLambdaRequest({
      ...request,
      identity: record(request.context.identity),
      authorizer: isRecord(request.context.authorizer) ? request.context.authorizer : undefined,
    });
    return Buffer.from(JSON.stringify(event));
  }
  const rendered = template.render(
    templateScope({ body: request.body, params: request.params, context: request.context }),
  );
  try {
    JSON.parse(rendered);
  } catch {
    throw new TemplateError(`the request template for ${type} rendered no JSON: ${rendered.slice(0, 200)}`);
  }
  return Buffer.from(rendered);
}

/**
 * The method response for a function's result: an error's `errorMessage` picks the status code
 * whose selection pattern matches it (else the default); a success always takes the default.
 * The body is the status code's (or the route's) response template over the result, or the
 * result itself.
 */
export function integrationResponse(
  settings: LambdaIntegrationSettings,
  result: { payload: Buffer; failed: boolean },
  request: MappingRequest,
  extraHeaders: [string, string][] = [],
): GatewayResponse {
  const text = result.payload.toString('utf8');
  const rule = selectRule(settings.statusCodes, result.failed ? errorMessage(text) : undefined);
  const templates = Object.keys(rule.templates).length ? rule.templates : settings.responseTemplates;
  const template = templates['application/json'] ?? Object.values(templates)[0];
  let body = text;
  // A response template may override the status and headers (`$context.responseOverride`).
  const override: { status?: unknown; header: Record<string, unknown> } = { header: {} };
  if (template) {
    try {
      const context = { ...request.context, responseOverride: override };
      body = template.render(templateScope({ body: text, params: request.params, context }));
    } catch (error) {
      if (error instanceof TemplateError) return jsonResponse(500, { message: 'Internal server error' });
      throw error;
    }
  }
  const mapped = new Map<string, [string, string]>();
  const put = (name: string, value: string) => mapped.set(name.toLowerCase(), [name, value]);
  for (const [name, expression] of Object.entries({ ...settings.responseHeaders, ...rule.headers })) {
    const value = headerValue(expression, text);
    if (value !== undefined) put(name, value);
  }
  for (const [name, value] of extraHeaders) put(name, value);
  for (const [name, value] of Object.entries(override.header))
    if (value !== undefined && value !== null) put(name, String(value));
  if (!mapped.has('content-type')) put('content-type', 'application/json');
  const status = Number(override.status);
  return {
    status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : rule.status,
    headers: [...mapped.values()],
    body: Buffer.from(body),
  };
}

function selectRule(rules: StatusCodeRule[], message: string | undefined): StatusCodeRule {
  const fallback = rules.find((rule) => rule.pattern === undefined) as StatusCodeRule;
  if (message === undefined) return fallback;
  return rules.find((rule) => rule.pattern?.test(message)) ?? fallback;
}

function errorMessage(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (isRecord(parsed) && typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // An error document that is not JSON matches as its text.
  }
  return payload;
}

/** A response header mapping: `'literal'` or `integration.response.body.<path>`. */
function headerValue(expression: string, body: string): string | undefined {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal) return literal[1];
  const fromBody = /^integration\.response\.body(\..+)?$/.exec(expression);
  if (fromBody) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    const value = jsonPath(parsed, `$${fromBody[1] ?? ''}`);
    return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return undefined;
}

export function mediaType(contentType: string | undefined): string | undefined {
  return contentType ? contentType.split(';')[0]?.trim().toLowerCase() : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
