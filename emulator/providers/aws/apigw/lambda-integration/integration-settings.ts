import { UserError } from '../../../../../common/errors';
import { TemplateError, VelocityTemplate } from './velocity-template';

/** One `response.statusCodes` entry: chosen when the function's error message matches `pattern`. */
export interface StatusCodeRule {
  status: number;
  /** Undefined for the default response (pattern `''` or none). */
  pattern: RegExp | undefined;
  templates: Record<string, VelocityTemplate>;
  headers: Record<string, string>;
}

/** `integration: lambda` (non-proxy): the request templates and the response mapping. */
export interface LambdaIntegrationSettings {
  requestTemplates: Record<string, VelocityTemplate>;
  /** A body of a type no template maps: passed on as it is (the default), or refused (415). */
  passThrough: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  responseTemplates: Record<string, VelocityTemplate>;
  responseHeaders: Record<string, string>;
  statusCodes: StatusCodeRule[];
}

/** The Serverless Framework's status codes for a lambda integration that declares none. */
const DEFAULT_STATUS_CODES: [number, string][] = [
  [200, ''],
  [400, '.*\\[400\\].*'],
  [401, '.*\\[401\\].*'],
  [403, '.*\\[403\\].*'],
  [404, '.*\\[404\\].*'],
  [422, '.*\\[422\\].*'],
  [500, '.*(Process\\s?exited\\s?before\\s?completing\\s?request|\\[500\\]).*'],
  [502, '.*\\[502\\].*'],
  [504, '([\\s\\S]*\\[504\\][\\s\\S]*)|(^[Tt]ask timed out.*)'],
];

/** Reads `http.request.template` and `http.response` of one event; `where` names it in errors. */
export function lambdaIntegrationSettings(
  http: Record<string, unknown>,
  where: string,
): LambdaIntegrationSettings {
  const request = record(http.request);
  const response = record(http.response);
  const statusCodes: StatusCodeRule[] = [];
  const declared = record(response.statusCodes);
  const entries: [number, Record<string, unknown>][] = Object.keys(declared).length
    ? Object.entries(declared).map(([code, rule]) => [Number(code), record(rule)])
    : DEFAULT_STATUS_CODES.map(([code, pattern]) => [code, { pattern }]);
  for (const [status, rule] of entries) {
    if (!Number.isInteger(status) || status < 100 || status > 599)
      throw new UserError(`${where}.response.statusCodes: ${status} is not an HTTP status code`, {
        exitCode: 2,
      });
    const pattern = typeof rule.pattern === 'string' && rule.pattern !== '' ? rule.pattern : undefined;
    let compiled: RegExp | undefined;
    try {
      compiled = pattern === undefined ? undefined : new RegExp(`^(?:${pattern})$`);
    } catch (error) {
      throw new UserError(
        `${where}.response.statusCodes.${status}.pattern is not a regular expression: ${(error as Error).message}`,
        { exitCode: 2 },
      );
    }
    statusCodes.push({
      status,
      pattern: compiled,
      templates: templates(rule.template, `${where}.response.statusCodes.${status}.template`),
      headers: stringRecord(rule.headers),
    });
  }
  if (!statusCodes.some((rule) => rule.pattern === undefined))
    statusCodes.unshift({ status: 200, pattern: undefined, templates: {}, headers: {} });
  const passThrough = String(request.passThrough ?? 'WHEN_NO_MATCH').toUpperCase();
  if (passThrough !== 'WHEN_NO_MATCH' && passThrough !== 'WHEN_NO_TEMPLATES' && passThrough !== 'NEVER')
    throw new UserError(
      `${where}.request.passThrough: "${String(request.passThrough)}" is not a passthrough behaviour`,
      {
        hint: 'Use WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER.',
        exitCode: 2,
      },
    );
  return {
    requestTemplates: templates(request.template, `${where}.request.template`),
    passThrough,
    responseTemplates: templates(response.template, `${where}.response.template`),
    responseHeaders: stringRecord(response.headers),
    statusCodes,
  };
}

/** A template per content type; a bare string is the `application/json` one. */
function templates(value: unknown, where: string): Record<string, VelocityTemplate> {
  const byType = typeof value === 'string' ? { 'application/json': value } : stringRecord(value);
  const compiled: Record<string, VelocityTemplate> = {};
  for (const [type, source] of Object.entries(byType)) {
    try {
      compiled[type.toLowerCase()] = new VelocityTemplate(source);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new UserError(`${where}${typeof value === 'string' ? '' : `.${type}`}: ${error.message}`, {
        hint: 'Fix the mapping template (Velocity: $input.json(), $input.path(), #set, #if, #foreach).',
        exitCode: 2,
      });
    }
  }
  return compiled;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([key, v]) => [key, String(v)]));
}
