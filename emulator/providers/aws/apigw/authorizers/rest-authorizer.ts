import { UserError } from '../../../../../common/errors';
import type { GatewayResponse } from '../../../../gateway/gateway-response';
import { AuthorizerCache, authorizerTtlSeconds } from './authorizer-cache';
import { type AuthorizerInvoke, askAuthorizer, authorizerContext } from './authorizer-invoke';
import {
  type CognitoAuthorizerSettings,
  cognitoAuthorizerSettings,
  isCognitoAuthorizer,
} from './cognito-authorizer';
import { gatewayErrors } from './gateway-errors';
import { evaluatePolicy } from './iam-policy';
import {
  type IdentityInputs,
  type IdentitySource,
  identityValues,
  missingIdentity,
  parseIdentitySources,
} from './identity-source';

/** `http.authorizer` of a REST event: a Lambda authorizer that is a function of the service. */
export interface RestAuthorizerSettings {
  /** The function's key, name or ARN as written. */
  functionRef: string;
  type: 'TOKEN' | 'REQUEST';
  identitySources: IdentitySource[];
  validationExpression: RegExp | undefined;
  resultTtlInSeconds: number;
}

/** A Lambda authorizer, a Cognito user pool, or `aws_iam` (read, said at start, not enforced). */
export type RestAuthorizerConfig =
  | { kind: 'lambda'; settings: RestAuthorizerSettings }
  | { kind: 'cognito'; settings: CognitoAuthorizerSettings }
  | { kind: 'unsupported'; what: string };

export function restAuthorizerConfig(value: unknown, where: string): RestAuthorizerConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const spec: Record<string, unknown> =
    typeof value === 'string'
      ? value.startsWith('arn:')
        ? { arn: value }
        : { name: value }
      : isRecord(value)
        ? value
        : {};
  const type = String(spec.type ?? 'token').toUpperCase();
  const reference =
    typeof spec.arn === 'string' ? spec.arn : typeof spec.name === 'string' ? spec.name : undefined;
  if (type === 'AWS_IAM' || reference === 'aws_iam')
    return { kind: 'unsupported', what: 'aws_iam authorization' };
  if (isCognitoAuthorizer(spec)) return { kind: 'cognito', settings: cognitoAuthorizerSettings(spec, where) };
  // The framework lets `authorizerId` win over a name or ARN.
  if (spec.authorizerId !== undefined)
    return {
      kind: 'unsupported',
      what: 'an authorizer given by authorizerId (defined outside this service)',
    };
  if (!reference)
    throw new UserError(`${where}: an authorizer needs the name or ARN of a function`, {
      hint: 'Write `authorizer: <function>` or `authorizer: { name: <function> }`.',
      exitCode: 2,
    });
  if (type !== 'TOKEN' && type !== 'REQUEST')
    throw new UserError(`${where}.type: "${String(spec.type)}" is not an authorizer type`, {
      hint: 'Use token or request.',
      exitCode: 2,
    });
  const identitySources = parseIdentitySources(
    spec.identitySource ?? (type === 'TOKEN' ? 'method.request.header.Authorization' : undefined),
    'rest',
    `${where}.identitySource`,
  );
  if (type === 'TOKEN' && (identitySources.length !== 1 || identitySources[0]?.from !== 'header'))
    throw new UserError(`${where}.identitySource: a TOKEN authorizer takes one header`, { exitCode: 2 });
  let validationExpression: RegExp | undefined;
  if (typeof spec.identityValidationExpression === 'string') {
    try {
      validationExpression = new RegExp(`^(?:${spec.identityValidationExpression})$`);
    } catch (error) {
      throw new UserError(`${where}.identityValidationExpression: ${(error as Error).message}`, {
        exitCode: 2,
      });
    }
  }
  const ttl = authorizerTtlSeconds(spec.resultTtlInSeconds, identitySources);
  if (type === 'REQUEST' && ttl > 0 && identitySources.length === 0)
    throw new UserError(`${where}: a cached REQUEST authorizer needs an identitySource`, {
      hint: 'Name the headers or query parameters that identify the caller, or set resultTtlInSeconds: 0.',
      exitCode: 2,
    });
  return {
    kind: 'lambda',
    settings: {
      functionRef: reference,
      type,
      identitySources,
      validationExpression,
      resultTtlInSeconds: ttl,
    },
  };
}

/** A cached answer: the policy is evaluated again per method, as API Gateway does. */
export interface Grant {
  principalId: string;
  policyDocument: unknown;
  context: Record<string, string | number | boolean>;
  usageIdentifierKey: string | undefined;
}

/** What a REST method asks before it runs: a Lambda or a Cognito user pool authorizer. */
export interface RestMethodAuthorizer {
  authorize(
    inputs: IdentityInputs,
    methodArn: string,
    requestEvent: () => Record<string, unknown>,
  ): Promise<AuthorizerOutcome>;
}

export type AuthorizerOutcome =
  | {
      allowed: true;
      authorizer: Record<string, unknown>;
      principalId: string;
      usageIdentifierKey: string | undefined;
    }
  | { allowed: false; response: GatewayResponse };

/**
 * One REST Lambda authorizer as a route names it. Routes naming the same function share one
 * cache, as they share one authorizer in API Gateway.
 */
export class RestAuthorizer implements RestMethodAuthorizer {
  constructor(
    private readonly settings: RestAuthorizerSettings,
    private readonly invoke: AuthorizerInvoke,
    private readonly cache: AuthorizerCache<Grant> = new AuthorizerCache<Grant>(),
  ) {}

  async authorize(
    inputs: IdentityInputs,
    methodArn: string,
    requestEvent: () => Record<string, unknown>,
  ): Promise<AuthorizerOutcome> {
    const { settings } = this;
    const values = identityValues(settings.identitySources, inputs);
    // Without its identity, or with a token the expression refuses, the function is not called.
    if (settings.type === 'TOKEN' || settings.identitySources.length > 0) {
      if (missingIdentity(values)) return { allowed: false, response: gatewayErrors.unauthorized() };
    }
    const token = values[0] ?? '';
    if (
      settings.type === 'TOKEN' &&
      settings.validationExpression &&
      !settings.validationExpression.test(token)
    )
      return { allowed: false, response: gatewayErrors.unauthorized() };
    const cacheKey = JSON.stringify(values);
    let grant = this.cache.get(cacheKey);
    const started = Date.now();
    if (!grant) {
      const event =
        settings.type === 'TOKEN'
          ? { type: 'TOKEN', methodArn, authorizationToken: token }
          : { type: 'REQUEST', methodArn, ...requestEvent() };
      const answer = await askAuthorizer(this.invoke, event);
      if (answer.kind === 'unauthorized') return { allowed: false, response: gatewayErrors.unauthorized() };
      if (answer.kind === 'failed')
        return { allowed: false, response: gatewayErrors.authorizerConfiguration() };
      const parsed = grantOf(answer.value);
      if (!parsed) return { allowed: false, response: gatewayErrors.authorizerConfiguration() };
      grant = parsed;
      this.cache.set(cacheKey, grant, settings.resultTtlInSeconds);
    }
    const verdict = evaluatePolicy(grant.policyDocument, methodArn);
    if (verdict === undefined) return { allowed: false, response: gatewayErrors.authorizerConfiguration() };
    if (verdict === 'explicit-deny') return { allowed: false, response: gatewayErrors.explicitDeny() };
    if (verdict === 'implicit-deny') return { allowed: false, response: gatewayErrors.implicitDeny() };
    // The proxy event carries context values as strings, as API Gateway sends them.
    const context = Object.fromEntries(
      Object.entries(grant.context).map(([key, value]) => [key, String(value)]),
    );
    return {
      allowed: true,
      principalId: grant.principalId,
      usageIdentifierKey: grant.usageIdentifierKey,
      authorizer: { ...context, principalId: grant.principalId, integrationLatency: Date.now() - started },
    };
  }
}

function grantOf(value: unknown): Grant | undefined {
  if (!isRecord(value)) return undefined;
  const { principalId, policyDocument } = value;
  if (typeof principalId !== 'string' && typeof principalId !== 'number') return undefined;
  if (evaluatePolicy(policyDocument, 'arn:check') === undefined) return undefined;
  const context = authorizerContext(value.context);
  if (!context) return undefined;
  return {
    principalId: String(principalId),
    policyDocument,
    context,
    usageIdentifierKey: typeof value.usageIdentifierKey === 'string' ? value.usageIdentifierKey : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
