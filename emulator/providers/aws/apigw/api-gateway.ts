import { UserError } from '../../../../common/errors';
import type { FunctionModel, ServiceModel } from '../../../../common/service/service-model';
import { jsonResponse } from '../../../gateway/gateway-response';
import type { GatewayRouteDefinition } from '../../../gateway/gateway-server';
import { ThrottledError } from '../../../pool/instance-pool';
import { type AwsHttpTrigger, awsHttpTriggers } from '../http-events';
import type { LambdaFunction, LambdaInvokeResult } from '../lambda-function';
import { type ApiKey, type ApiKeySource, apiKeySourceOf, apiKeysOf } from './api-keys';
import { restRoutePath } from './api-settings';
import { AuthorizerCache } from './authorizers/authorizer-cache';
import type { AuthorizerInvoke } from './authorizers/authorizer-invoke';
import {
  CognitoAuthorizer,
  type CognitoAuthorizerSettings,
  isCognitoAuthorizer,
} from './authorizers/cognito-authorizer';
import {
  type HttpApiAuthorizerSettings,
  HttpApiLambdaAuthorizer,
  httpApiAuthorizerSettings,
} from './authorizers/http-api-authorizers';
import { JwksSource } from './authorizers/jwks';
import { JwtAuthorizer } from './authorizers/jwt-authorizer';
import {
  type Grant,
  RestAuthorizer,
  type RestMethodAuthorizer,
  restAuthorizerConfig,
} from './authorizers/rest-authorizer';
import {
  type HttpApiCorsSettings,
  httpApiCorsSettings,
  httpApiPreflight,
  isPreflight,
} from './http-api-cors';
import { HttpApiRoute, type HttpApiRouteDeps } from './http-api-route';
import { type RestCorsSettings, restPreflight } from './rest-cors';
import { RestEndpoint, restEndpointConfig } from './rest-endpoint';

export interface ApiGatewayContext {
  model: ServiceModel;
  region: string;
  accountId: string;
  apiId: string;
  /** A function of the service by key, name or ARN. */
  find: (reference: string) => LambdaFunction | undefined;
  log: (line: string, stream?: 'stdout' | 'stderr') => void;
}

/** `custom.faasport.jwt`: where JWT authorizers find keys, and the opt-out of signature checks. */
interface JwtOptions {
  verifySignature: boolean;
  jwks: string | Record<string, string> | undefined;
}

/**
 * The API Gateway settings of a service (`provider.apiGateway`, `provider.httpApi`, each event's
 * authorizer, CORS, validation and integration), read once when the functions load so a mistake
 * fails before anything serves. Hands each route what it runs; authorizers are shared (one cache)
 * between the routes that name them alike.
 */
export class ApiGateway {
  readonly apiKeys: ApiKey[];
  private readonly apiKeySource: ApiKeySource;
  private readonly httpApiCors: HttpApiCorsSettings | undefined;
  private readonly httpApiAuthorizers: Map<string, HttpApiAuthorizerSettings>;
  private readonly jwt: JwtOptions;
  private readonly restAuthorizers = new Map<string, RestAuthorizer>();
  private readonly restAuthorizerCaches = new Map<string, AuthorizerCache<Grant>>();
  private readonly httpLambdaAuthorizers = new Map<string, HttpApiLambdaAuthorizer>();
  private readonly jwtAuthorizers = new Map<string, JwtAuthorizer>();
  private readonly cognitoAuthorizers = new Map<string, CognitoAuthorizer>();
  private readonly poolKeySources = new Map<string, JwksSource>();
  /** REST paths with CORS: the methods the preflight lists. */
  private readonly restCorsPaths = new Map<string, { cors: RestCorsSettings; methods: Set<string> }>();
  private readonly warned = new Set<string>();

  constructor(private readonly context: ApiGatewayContext) {
    const { model } = context;
    this.apiKeys = inFile(model.configFile, () => apiKeysOf(model.apiGateway, model.service, model.stage));
    this.apiKeySource = inFile(model.configFile, () => apiKeySourceOf(model.apiGateway));
    const routeMethods = model.functions.flatMap((fn) =>
      awsHttpTriggers(fn)
        .filter((trigger) => trigger.kind === 'http-api')
        .map((trigger) => trigger.method),
    );
    this.httpApiCors = inFile(model.configFile, () => httpApiCorsSettings(model.httpApi?.cors, routeMethods));
    this.httpApiAuthorizers = inFile(model.configFile, () =>
      httpApiAuthorizerSettings(model.httpApi?.authorizers),
    );
    this.jwt = jwtOptions(model.custom.jwt, model.configFile);
  }

  /** What a user needs to know at start: the local API keys, checks that are off. */
  startupLines(): { text: string; stream: 'stdout' | 'stderr' }[] {
    const how =
      this.apiKeySource === 'AUTHORIZER'
        ? 'the authorizer returns it as usageIdentifierKey'
        : 'send it as x-api-key to private: true routes';
    const lines: { text: string; stream: 'stdout' | 'stderr' }[] = this.apiKeys.map((key) => ({
      text: `API key ${key.name}: ${key.value}${key.enabled ? '' : ' (disabled)'} — ${how}`,
      stream: 'stdout',
    }));
    const hasJwt =
      [...this.httpApiAuthorizers.values()].some((settings) => settings.type === 'jwt') ||
      this.context.model.functions.some((fn) =>
        awsHttpTriggers(fn).some(
          (trigger) =>
            trigger.kind === 'rest' && isCognitoAuthorizer(authorizerSpec(trigger.spec.authorizer)),
        ),
      );
    if (hasJwt && !this.jwt.verifySignature)
      lines.push({
        text: 'custom.faasport.jwt.verifySignature is false: JWT and Cognito token signatures are NOT checked (issuer, expiry, scopes and JWT audiences still are)',
        stream: 'stderr',
      });
    return lines;
  }

  /** The REST method of one `http` event. */
  restEndpoint(
    fn: FunctionModel,
    trigger: AwsHttpTrigger,
    index: number,
    invoke: (payload: Buffer) => Promise<LambdaInvokeResult | undefined>,
  ): RestEndpoint {
    return inFile(this.context.model.configFile, () => this.makeRestEndpoint(fn, trigger, index, invoke));
  }

  private makeRestEndpoint(
    fn: FunctionModel,
    trigger: AwsHttpTrigger,
    index: number,
    invoke: (payload: Buffer) => Promise<LambdaInvokeResult | undefined>,
  ): RestEndpoint {
    const where = `functions.${fn.key}.events[${index}].http`;
    const config = restEndpointConfig(
      trigger.spec,
      record(this.context.model.apiGateway?.request).schemas as Record<string, unknown> | undefined,
      where,
    );
    if (config.private && !this.apiKeys.some((key) => key.enabled))
      this.warnOnce(
        `${where}: private: true, but provider.apiGateway.apiKeys holds no enabled key: every request is refused (403)`,
      );
    if (config.cors) {
      const entry = this.restCorsPaths.get(trigger.path) ?? { cors: config.cors, methods: new Set<string>() };
      entry.methods.add(trigger.method === 'ANY' ? 'DELETE,GET,HEAD,PATCH,POST,PUT' : trigger.method);
      this.restCorsPaths.set(trigger.path, entry);
    }
    const { region, accountId, apiId, model } = this.context;
    return new RestEndpoint({
      config,
      authorizer: this.restAuthorizer(trigger.spec.authorizer, `${where}.authorizer`),
      apiKeys: this.apiKeys,
      apiKeySource: this.apiKeySource,
      methodArn: (method, path) =>
        `arn:aws:execute-api:${region}:${accountId}:${apiId}/${model.stage}/${method}${path}`,
      invoke,
      log: (line) => this.context.log(line, 'stderr'),
    });
  }

  /** The OPTIONS mocks of REST paths with `cors`, unless the service routes OPTIONS itself. */
  restPreflightRoutes(taken: (method: string, path: string) => boolean): GatewayRouteDefinition[] {
    const { model } = this.context;
    return [...this.restCorsPaths]
      .filter(([path]) => !taken('OPTIONS', path))
      .map(([path, { cors, methods }]) => ({
        method: 'OPTIONS',
        path: restRoutePath(model, path),
        description: 'CORS preflight (API Gateway REST)',
        provider: 'aws',
        handle: async (request) => ({
          response: restPreflight(
            cors,
            [...methods].flatMap((m) => m.split(',')),
            request,
          ),
        }),
      }));
  }

  /** The HTTP API route of one `httpApi` event. */
  httpApiRoute(
    fn: FunctionModel,
    trigger: AwsHttpTrigger,
    index: number,
    invoke: (payload: Buffer) => Promise<LambdaInvokeResult | undefined>,
  ): HttpApiRoute {
    const where = `functions.${fn.key}.events[${index}].httpApi.authorizer`;
    const { region, accountId, apiId } = this.context;
    const authorizer = inFile(this.context.model.configFile, () =>
      this.httpApiAuthorizer(trigger.spec.authorizer, where),
    );
    return new HttpApiRoute({
      cors: this.httpApiCors,
      authorizer,
      routeArn: (method, path) =>
        `arn:aws:execute-api:${region}:${accountId}:${apiId}/$default/${method}${path}`,
      invoke,
    });
  }

  /**
   * With `provider.httpApi.cors`, API Gateway answers preflights itself: an OPTIONS route for each
   * HTTP API path that has none (routes of any method answer them too, in HttpApiRoute).
   */
  httpApiPreflightRoutes(
    paths: string[],
    taken: (method: string, path: string) => boolean,
  ): GatewayRouteDefinition[] {
    const cors = this.httpApiCors;
    if (!cors) return [];
    return [...new Set(paths)]
      .filter((path) => !taken('OPTIONS', path) && !taken('ANY', path))
      .map((path) => ({
        method: 'OPTIONS',
        path,
        description: 'CORS preflight (HTTP API)',
        provider: 'aws',
        handle: async (request) => ({
          response: isPreflight(request)
            ? httpApiPreflight(cors, request)
            : jsonResponse(404, { message: 'Not Found' }),
        }),
      }));
  }

  private restAuthorizer(value: unknown, where: string): RestMethodAuthorizer | undefined {
    const config = restAuthorizerConfig(value, where);
    if (!config) return undefined;
    if (config.kind === 'unsupported') {
      this.warnOnce(`${where}: ${config.what} is not checked by the emulator; requests pass without it`);
      return undefined;
    }
    if (config.kind === 'cognito') return this.cognitoAuthorizer(config.settings, where);
    const { settings } = config;
    const lambda = this.authorizerFunction(settings.functionRef, where);
    const key = JSON.stringify({
      ...settings,
      functionRef: lambda.name,
      validationExpression: settings.validationExpression?.source,
    });
    let authorizer = this.restAuthorizers.get(key);
    if (!authorizer) {
      const cacheKey = `${lambda.name}|${settings.type}`;
      const cache = this.restAuthorizerCaches.get(cacheKey) ?? new AuthorizerCache<Grant>();
      this.restAuthorizerCaches.set(cacheKey, cache);
      authorizer = new RestAuthorizer(settings, invokeAuthorizer(lambda), cache);
      this.restAuthorizers.set(key, authorizer);
    }
    return authorizer;
  }

  /** One per settings; the keys of a pool are read once for every route and authorizer using it. */
  private cognitoAuthorizer(settings: CognitoAuthorizerSettings, where: string): CognitoAuthorizer {
    const key = JSON.stringify(settings);
    let authorizer = this.cognitoAuthorizers.get(key);
    if (!authorizer) {
      const configured = typeof this.jwt.jwks === 'string' ? this.jwt.jwks : this.jwt.jwks?.[settings.name];
      const keys = this.poolKeys(settings.issuer, configured);
      if (!keys && this.jwt.verifySignature)
        this.warnOnce(
          `${where}: the user pool is known only once deployed and no keys are configured for authorizer ${settings.name}: its tokens are refused (401)`,
          `Save the pool's https://cognito-idp.<region>.amazonaws.com/<pool id>/.well-known/jwks.json and set custom.faasport.jwt.jwks.${settings.name} to it, or write the pool's ARN.`,
        );
      authorizer = new CognitoAuthorizer(settings, {
        verifySignature: this.jwt.verifySignature,
        keys,
        onKeysUnavailable: (error) =>
          this.warnOnce(
            `Cognito authorizer ${settings.name}: cannot read the user pool's signing keys from ${keys?.describe()} (${error.message}); tokens are refused`,
            "Save the pool's https://cognito-idp.<region>.amazonaws.com/<pool id>/.well-known/jwks.json and set custom.faasport.jwt.jwks to it, or custom.faasport.jwt.verifySignature: false.",
          ),
      });
      this.cognitoAuthorizers.set(key, authorizer);
    }
    return authorizer;
  }

  private poolKeys(issuer: string | undefined, configured: string | undefined): JwksSource | undefined {
    if (!issuer && !configured) return undefined;
    const key = `${issuer ?? ''}|${configured ?? ''}`;
    let keys = this.poolKeySources.get(key);
    if (!keys) {
      keys = new JwksSource({
        issuer: issuer ?? '',
        serviceDir: this.context.model.serviceDir,
        ...(configured ? { configured } : {}),
      });
      this.poolKeySources.set(key, keys);
    }
    return keys;
  }

  private httpApiAuthorizer(value: unknown, where: string): HttpApiRouteDeps['authorizer'] {
    if (value === undefined || value === null) return undefined;
    const spec: Record<string, unknown> = typeof value === 'string' ? { name: value } : record(value);
    if (String(spec.type ?? '').toLowerCase() === 'aws_iam') {
      this.warnOnce(
        `${where}: aws_iam authorization is not checked by the emulator; requests pass without it`,
      );
      return undefined;
    }
    const name = typeof spec.name === 'string' ? spec.name : undefined;
    const settings = name === undefined ? undefined : this.httpApiAuthorizers.get(name);
    if (!settings)
      throw new UserError(
        `${where}: no authorizer ${name === undefined ? '(no name)' : `"${name}"`} in provider.httpApi.authorizers`,
        {
          hint: `Define it under provider.httpApi.authorizers${name ? `.${name}` : ''}, or name one that is (${[...this.httpApiAuthorizers.keys()].join(', ') || 'none defined'}).`,
          exitCode: 2,
        },
      );
    if (settings.type === 'jwt') {
      let authorizer = this.jwtAuthorizers.get(settings.name);
      if (!authorizer) {
        const configured = typeof this.jwt.jwks === 'string' ? this.jwt.jwks : this.jwt.jwks?.[settings.name];
        const keys = new JwksSource({
          issuer: settings.issuer,
          serviceDir: this.context.model.serviceDir,
          ...(configured ? { configured } : {}),
        });
        authorizer = new JwtAuthorizer(settings, keys, {
          verifySignature: this.jwt.verifySignature,
          onKeysUnavailable: (error) =>
            this.warnOnce(
              `JWT authorizer ${settings.name}: cannot read the signing keys from ${keys.describe()} (${error.message}); tokens are refused`,
              'Set custom.faasport.jwt.jwks to a JWKS URL or file, or custom.faasport.jwt.verifySignature: false for tokens of an unreachable issuer.',
            ),
        });
        this.jwtAuthorizers.set(settings.name, authorizer);
      }
      const scopes = Array.isArray(spec.scopes) ? spec.scopes.map(String) : [];
      return { kind: 'jwt', authorizer, scopes };
    }
    if (Array.isArray(spec.scopes) && spec.scopes.length)
      throw new UserError(`${where}.scopes: only JWT authorizers take scopes`, { exitCode: 2 });
    let authorizer = this.httpLambdaAuthorizers.get(settings.name);
    if (!authorizer) {
      const lambda = this.authorizerFunction(
        settings.functionRef,
        `provider.httpApi.authorizers.${settings.name}`,
      );
      authorizer = new HttpApiLambdaAuthorizer(settings, invokeAuthorizer(lambda));
      this.httpLambdaAuthorizers.set(settings.name, authorizer);
    }
    return { kind: 'lambda', authorizer };
  }

  private authorizerFunction(reference: string, where: string): LambdaFunction {
    const lambda = this.context.find(reference);
    if (!lambda)
      throw new UserError(`${where}: "${reference}" is no function of this service`, {
        hint: 'The emulator runs authorizers that are functions of the service: name one by its key, name or ARN.',
        exitCode: 2,
      });
    return lambda;
  }

  private warnOnce(text: string, hint?: string): void {
    if (this.warned.has(text)) return;
    this.warned.add(text);
    this.context.log(hint ? `${text}\n  → ${hint}` : text, 'stderr');
  }
}

/** An authorizer runs through its function's pool; a throttled authorizer counts as failed. */
function invokeAuthorizer(lambda: LambdaFunction): AuthorizerInvoke {
  return async (event) => {
    try {
      const result = await lambda.invoke(Buffer.from(JSON.stringify(event)));
      return { payload: result.payload, failed: Boolean(result.functionError) };
    } catch (error) {
      if (error instanceof ThrottledError) return { payload: Buffer.from('{}'), failed: true };
      throw error;
    }
  };
}

/** Settings errors name the file they are in, as every other serverless.yml error does. */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UserError && !error.message.startsWith(file))
      throw new UserError(`${file}: ${error.message}`, {
        ...(error.hint ? { hint: error.hint } : {}),
        exitCode: error.exitCode,
      });
    throw error;
  }
}

function jwtOptions(value: unknown, file: string): JwtOptions {
  if (value === undefined) return { verifySignature: true, jwks: undefined };
  const spec = record(value);
  if (spec.verifySignature !== undefined && typeof spec.verifySignature !== 'boolean')
    throw new UserError(`${file}: custom.faasport.jwt.verifySignature must be true or false`, {
      exitCode: 2,
    });
  const jwks = spec.jwks;
  if (
    jwks !== undefined &&
    typeof jwks !== 'string' &&
    (typeof jwks !== 'object' || jwks === null || Object.values(jwks).some((v) => typeof v !== 'string'))
  )
    throw new UserError(
      `${file}: custom.faasport.jwt.jwks must be a URL or file, or a map of authorizer name to one`,
      {
        exitCode: 2,
      },
    );
  return {
    verifySignature: spec.verifySignature !== false,
    jwks: jwks as JwtOptions['jwks'],
  };
}

/** `authorizer: <name or ARN>` or the object form, as one object. */
function authorizerSpec(value: unknown): Record<string, unknown> {
  return typeof value === 'string' ? { arn: value } : record(value);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
