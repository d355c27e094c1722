import type { MethodParams } from './template-scope';

/**
 * The event the Serverless Framework's default request template gives a function behind
 * `integration: lambda` when the route has no template of its own: the body (JSON parsed, a form
 * as an object), the method, the authorizer's principal and context, headers, query, path
 * parameters, the caller's identity, stage variables and the resource path.
 */
export function defaultLambdaRequest(options: {
  body: string;
  contentType: string | undefined;
  method: string;
  stage: string;
  resourcePath: string;
  params: MethodParams;
  identity: Record<string, unknown>;
  authorizer: Record<string, unknown> | undefined;
  stageVariables?: Record<string, string>;
}): Record<string, unknown> {
  const authorizer = options.authorizer ?? {};
  const claims = isRecord(authorizer.claims) ? authorizer.claims : {};
  return {
    body: bodyValue(options.body, options.contentType),
    method: options.method,
    principalId: typeof authorizer.principalId === 'string' ? authorizer.principalId : '',
    stage: options.stage,
    cognitoPoolClaims: { sub: typeof claims.sub === 'string' ? claims.sub : '' },
    enhancedAuthContext: Object.fromEntries(
      Object.entries(authorizer).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
    headers: options.params.header,
    query: options.params.querystring,
    path: options.params.path,
    identity: Object.fromEntries(
      Object.entries(options.identity).map(([key, value]) => [key, value === null ? '' : String(value)]),
    ),
    stageVariables: options.stageVariables ?? {},
    requestPath: options.resourcePath,
  };
}

function bodyValue(body: string, contentType: string | undefined): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
