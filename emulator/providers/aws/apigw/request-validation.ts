import { UserError } from '../../../../common/errors';
import { type GatewayResponse, jsonResponse } from '../../../gateway/gateway-response';
import { firstHeader, type GatewayRequest, queryPairs } from '../../../gateway/http-request';
import { type Schema, schemaProblem } from './json-schema';

/** `http.request.parameters` (the required ones) and `http.request.schemas` of a REST event. */
export interface RequestValidation {
  required: { in: 'header' | 'querystring' | 'path'; name: string }[];
  /** Body model per media type. */
  schemas: Record<string, Schema>;
}

const PARAMETER_GROUPS = [
  ['headers', 'header'],
  ['querystrings', 'querystring'],
  ['paths', 'path'],
] as const;

/**
 * Reads the validation of one event; `models` are `provider.apiGateway.request.schemas`, which an
 * event names by their key. Undefined when the event asks for none.
 */
export function requestValidationOf(
  http: Record<string, unknown>,
  models: Record<string, unknown> | undefined,
  where: string,
): RequestValidation | undefined {
  const request = record(http.request);
  const parameters = record(request.parameters);
  const required: RequestValidation['required'] = [];
  for (const [group, location] of PARAMETER_GROUPS) {
    for (const [name, spec] of Object.entries(record(parameters[group]))) {
      if (spec === true || record(spec).required === true) required.push({ in: location, name });
    }
  }
  const schemas: Record<string, Schema> = {};
  for (const [type, spec] of Object.entries(record(request.schemas))) {
    schemas[type.toLowerCase()] = schemaOf(spec, models, `${where}.request.schemas.${type}`);
  }
  if (required.length === 0 && Object.keys(schemas).length === 0) return undefined;
  return { required, schemas };
}

function schemaOf(spec: unknown, models: Record<string, unknown> | undefined, where: string): Schema {
  if (typeof spec === 'string') {
    const model = models?.[spec];
    if (model === undefined)
      throw new UserError(`${where}: no model "${spec}" in provider.apiGateway.request.schemas`, {
        hint: 'Write the JSON schema here (or load it with a file variable), or define the model under provider.apiGateway.request.schemas.',
        exitCode: 2,
      });
    return schemaOf(model, undefined, `provider.apiGateway.request.schemas.${spec}`);
  }
  const object = record(spec);
  if (typeof object.schema === 'object' && object.schema !== null) return object.schema as Schema;
  if (Object.keys(object).length === 0)
    throw new UserError(`${where} must be a JSON schema`, { exitCode: 2 });
  return object;
}

/**
 * API Gateway's request validator: required parameters first (400 listing what is missing),
 * then the body against the model of its media type (400 `Invalid request body`). Undefined when
 * the request may go on; `onInvalidBody` hears why a body was refused.
 */
export function validateRequest(
  validation: RequestValidation,
  request: GatewayRequest,
  pathParameters: Record<string, string>,
  onInvalidBody: (problem: string) => void,
): GatewayResponse | undefined {
  const query = queryPairs(request.rawQuery);
  const missing = validation.required
    .filter((parameter) => {
      if (parameter.in === 'header') return !firstHeader(request, parameter.name);
      if (parameter.in === 'querystring') return !query.some(([name]) => name === parameter.name);
      return !pathParameters[parameter.name];
    })
    .map((parameter) => parameter.name);
  if (missing.length)
    return jsonResponse(400, { message: `Missing required request parameters: [${missing.join(', ')}]` }, [
      ['x-amzn-errortype', 'BadRequestException'],
    ]);
  const type =
    (firstHeader(request, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  const schema = validation.schemas[type] ?? validation.schemas.$default;
  if (schema === undefined) return undefined;
  let body: unknown;
  let problem: string | undefined;
  try {
    body = JSON.parse(request.body.toString('utf8'));
    problem = schemaProblem(schema, body);
  } catch {
    problem = 'the body is not JSON';
  }
  if (problem === undefined) return undefined;
  onInvalidBody(problem);
  return jsonResponse(400, { message: 'Invalid request body' }, [
    ['x-amzn-errortype', 'BadRequestException'],
  ]);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
