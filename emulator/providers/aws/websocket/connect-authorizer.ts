import type { GatewayRequest } from '../../../gateway/http-request';
import { firstHeader, queryPairs } from '../../../gateway/http-request';
import { evaluatePolicy } from '../apigw/authorizers/iam-policy';
import { headerMaps, queryMaps } from './websocket-events';

/**
 * A Lambda REQUEST authorizer on `$connect`, as API Gateway runs it: every identity source must
 * be present (else 401 without invoking), `Unauthorized` thrown is 401, a policy that does not
 * allow `execute-api:Invoke` on the $connect method ARN (explicit Deny, or no matching Allow) is
 * 403, anything malformed is 500; an Allow gives `requestContext.authorizer` its principalId and
 * context. Kept to websockets here; REST and HTTP API authorizers live in apigw/.
 */

export type AuthorizerOutcome =
  | { allowed: true; authorizer: Record<string, unknown> }
  | { allowed: false; status: 401 | 403 | 500 };

export interface AuthorizerInvocation {
  payload: Buffer;
  functionError?: { errorType: string };
}

export async function authorizeConnect(options: {
  identitySource: string[];
  request: GatewayRequest;
  connectRequestContext: Record<string, unknown>;
  methodArn: string;
  invoke(event: unknown): Promise<AuthorizerInvocation | undefined>;
}): Promise<AuthorizerOutcome> {
  const { request } = options;
  if (!options.identitySource.every((source) => identityValue(source, request) !== undefined))
    return { allowed: false, status: 401 };
  const started = Date.now();
  const result = await options.invoke({
    type: 'REQUEST',
    methodArn: options.methodArn,
    ...headerMaps(request),
    ...queryMaps(request),
    stageVariables: {},
    requestContext: options.connectRequestContext,
  });
  if (!result) return { allowed: false, status: 500 };
  let answer: unknown;
  try {
    answer = JSON.parse(result.payload.toString('utf8'));
  } catch {
    return { allowed: false, status: 500 };
  }
  if (result.functionError) {
    const message = (answer as { errorMessage?: unknown } | null)?.errorMessage;
    return { allowed: false, status: message === 'Unauthorized' ? 401 : 500 };
  }
  return readPolicy(answer, options.methodArn, Date.now() - started);
}

/** `route.request.header.<name>` or `route.request.querystring.<name>`; undefined when absent or empty. */
function identityValue(source: string, request: GatewayRequest): string | undefined {
  const header = /^route\.request\.header\.(.+)$/i.exec(source);
  if (header) return firstHeader(request, header[1] ?? '') || undefined;
  const query = /^route\.request\.querystring\.(.+)$/i.exec(source);
  if (query) return queryPairs(request.rawQuery).find(([name]) => name === query[1])?.[1] || undefined;
  return undefined;
}

function readPolicy(answer: unknown, methodArn: string, latencyMs: number): AuthorizerOutcome {
  if (typeof answer !== 'object' || answer === null) return { allowed: false, status: 500 };
  const { principalId, policyDocument, context } = answer as Record<string, unknown>;
  if (typeof principalId !== 'string') return { allowed: false, status: 500 };
  // Judged as API Gateway judges REST authorizers: Action and Resource matter, not just Effect.
  const verdict = evaluatePolicy(policyDocument, methodArn);
  if (verdict === undefined) return { allowed: false, status: 500 };
  const values: Record<string, unknown> = {};
  if (context !== undefined && context !== null) {
    if (typeof context !== 'object') return { allowed: false, status: 500 };
    for (const [key, value] of Object.entries(context)) {
      // API Gateway passes only strings, numbers and booleans; anything else fails the call.
      if (!['string', 'number', 'boolean'].includes(typeof value)) return { allowed: false, status: 500 };
      values[key] = value;
    }
  }
  if (verdict !== 'allow') return { allowed: false, status: 403 };
  return { allowed: true, authorizer: { ...values, principalId, integrationLatency: latencyMs } };
}
