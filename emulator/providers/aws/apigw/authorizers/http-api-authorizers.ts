import { UserError } from '../../../../../common/errors';
import type { GatewayResponse } from '../../../../gateway/gateway-response';
import { AuthorizerCache, authorizerTtlSeconds } from './authorizer-cache';
import { type AuthorizerInvoke, askAuthorizer, authorizerContext } from './authorizer-invoke';
import { gatewayErrors } from './gateway-errors';
import { evaluatePolicy } from './iam-policy';
import {
  type IdentityInputs,
  type IdentitySource,
  identityValues,
  missingIdentity,
  parseIdentitySources,
} from './identity-source';

/** `provider.httpApi.authorizers.<name>` of type `request`: a function of the service. */
export interface HttpApiLambdaAuthorizerSettings {
  type: 'request';
  name: string;
  functionRef: string;
  identitySources: IdentitySource[];
  resultTtlInSeconds: number;
  simpleResponses: boolean;
  /** `2.0` (the framework's default) or `1.0`: the REST-shaped event, IAM policy answers only. */
  payloadVersion: '1.0' | '2.0';
}

/** `provider.httpApi.authorizers.<name>` of type `jwt`. */
export interface JwtAuthorizerSettings {
  type: 'jwt';
  name: string;
  identitySources: IdentitySource[];
  issuer: string;
  audience: string[];
}

export type HttpApiAuthorizerSettings = HttpApiLambdaAuthorizerSettings | JwtAuthorizerSettings;

export type HttpApiAuthOutcome =
  | { allowed: true; authorizer: Record<string, unknown> }
  | { allowed: false; response: GatewayResponse };

/** Reads `provider.httpApi.authorizers`. */
export function httpApiAuthorizerSettings(value: unknown): Map<string, HttpApiAuthorizerSettings> {
  const settings = new Map<string, HttpApiAuthorizerSettings>();
  if (!isRecord(value)) return settings;
  for (const [name, raw] of Object.entries(value)) {
    const where = `provider.httpApi.authorizers.${name}`;
    const spec = isRecord(raw) ? raw : {};
    const type = String(spec.type ?? 'jwt').toLowerCase();
    const identitySources = parseIdentitySources(
      spec.identitySource ?? (type === 'jwt' ? '$request.header.Authorization' : undefined),
      'http-api',
      `${where}.identitySource`,
    );
    if (type === 'jwt') {
      if (typeof spec.issuerUrl !== 'string' || !spec.issuerUrl)
        throw new UserError(`${where}.issuerUrl is missing`, {
          hint: 'A JWT authorizer needs the issuer URL of its tokens.',
          exitCode: 2,
        });
      const audience = Array.isArray(spec.audience)
        ? spec.audience.map(String)
        : typeof spec.audience === 'string'
          ? [spec.audience]
          : [];
      if (audience.length === 0)
        throw new UserError(`${where}.audience is missing`, {
          hint: 'List the audiences (client ids) the tokens are for.',
          exitCode: 2,
        });
      settings.set(name, { type: 'jwt', name, identitySources, issuer: spec.issuerUrl, audience });
      continue;
    }
    if (type !== 'request')
      throw new UserError(`${where}.type: "${String(spec.type)}" is not an HTTP API authorizer type`, {
        hint: 'Use jwt or request.',
        exitCode: 2,
      });
    const functionRef =
      typeof spec.functionName === 'string'
        ? spec.functionName
        : typeof spec.functionArn === 'string'
          ? spec.functionArn
          : undefined;
    if (!functionRef)
      throw new UserError(`${where}: a request authorizer needs functionName or functionArn`, {
        exitCode: 2,
      });
    const payloadVersion = String(spec.payloadVersion ?? '2.0');
    if (payloadVersion !== '1.0' && payloadVersion !== '2.0')
      throw new UserError(`${where}.payloadVersion: "${payloadVersion}" is not a payload version`, {
        hint: 'Use "2.0" (the default) or "1.0".',
        exitCode: 2,
      });
    if (payloadVersion === '1.0' && spec.enableSimpleResponses === true)
      throw new UserError(`${where}: simple responses need payload version 2.0`, {
        hint: 'Remove enableSimpleResponses, or payloadVersion: "1.0".',
        exitCode: 2,
      });
    const ttl = authorizerTtlSeconds(spec.resultTtlInSeconds, identitySources);
    if (ttl > 0 && identitySources.length === 0)
      throw new UserError(`${where}: a cached authorizer needs an identitySource`, {
        hint: 'Name the headers that identify the caller, or set resultTtlInSeconds: 0.',
        exitCode: 2,
      });
    settings.set(name, {
      type: 'request',
      name,
      functionRef,
      identitySources,
      resultTtlInSeconds: ttl,
      simpleResponses: spec.enableSimpleResponses === true,
      payloadVersion,
    });
  }
  return settings;
}

/** An HTTP API Lambda authorizer (payload 2.0), simple or IAM-policy responses, cached by identity. */
export class HttpApiLambdaAuthorizer {
  private readonly cache = new AuthorizerCache<{
    policy?: unknown;
    authorized?: boolean;
    context: Record<string, unknown>;
  }>();

  constructor(
    private readonly settings: HttpApiLambdaAuthorizerSettings,
    private readonly invoke: AuthorizerInvoke,
  ) {}

  /**
   * `requestEvent` is the route's 2.0 event; `restShapedEvent` the 1.0 (REST-shaped) one a
   * payload 1.0 authorizer receives.
   */
  async authorize(
    inputs: IdentityInputs,
    routeArn: string,
    requestEvent: () => Record<string, unknown>,
    restShapedEvent: () => Record<string, unknown> = requestEvent,
  ): Promise<HttpApiAuthOutcome> {
    const values = identityValues(this.settings.identitySources, inputs);
    if (this.settings.identitySources.length && missingIdentity(values))
      return { allowed: false, response: gatewayErrors.unauthorized() };
    const key = JSON.stringify(values);
    let answer = this.cache.get(key);
    if (!answer) {
      const reply = await askAuthorizer(
        this.invoke,
        this.event(values, routeArn, requestEvent, restShapedEvent),
      );
      if (reply.kind === 'unauthorized') return { allowed: false, response: gatewayErrors.unauthorized() };
      if (reply.kind === 'failed' || !isRecord(reply.value))
        return { allowed: false, response: gatewayErrors.httpApiInternal() };
      const context = this.settings.simpleResponses
        ? looseContext(reply.value.context)
        : authorizerContext(reply.value.context);
      if (!context) return { allowed: false, response: gatewayErrors.httpApiInternal() };
      if (this.settings.simpleResponses) {
        if (typeof reply.value.isAuthorized !== 'boolean')
          return { allowed: false, response: gatewayErrors.httpApiInternal() };
        answer = { authorized: reply.value.isAuthorized, context };
      } else {
        if (evaluatePolicy(reply.value.policyDocument, 'arn:check') === undefined)
          return { allowed: false, response: gatewayErrors.httpApiInternal() };
        answer = { policy: reply.value.policyDocument, context };
      }
      this.cache.set(key, answer, this.settings.resultTtlInSeconds);
    }
    const allowed =
      answer.policy === undefined
        ? answer.authorized === true
        : evaluatePolicy(answer.policy, routeArn) === 'allow';
    if (!allowed) return { allowed: false, response: gatewayErrors.forbidden() };
    return { allowed: true, authorizer: { lambda: answer.context } };
  }

  private event(
    values: (string | undefined)[],
    routeArn: string,
    requestEvent: () => Record<string, unknown>,
    restShapedEvent: () => Record<string, unknown>,
  ): Record<string, unknown> {
    if (this.settings.payloadVersion === '1.0') {
      const { body: _body, isBase64Encoded: _base64, ...request } = restShapedEvent();
      const identity = values.filter((value) => value !== undefined).join(',');
      return {
        version: '1.0',
        type: 'REQUEST',
        methodArn: routeArn,
        identitySource: identity,
        authorizationToken: identity,
        ...request,
      };
    }
    const { body: _body, isBase64Encoded: _base64, ...request } = requestEvent();
    return { version: '2.0', type: 'REQUEST', routeArn, identitySource: values, ...request };
  }
}

/** Simple responses may carry any JSON in their context. */
function looseContext(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
