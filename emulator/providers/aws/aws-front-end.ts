import { randomUUID } from 'node:crypto';
import { UserError } from '../../../common/errors';
import type { FunctionModel } from '../../../common/service/service-model';
import { settingFor } from '../../../common/service/service-model';
import type { GatewayRouteDefinition, InvocationFacts } from '../../gateway/gateway-server';
import { ThrottledError } from '../../pool/instance-pool';
import type { ReloadTarget } from '../../watch/hot-reload';
import type { ImageReloadTarget } from '../../watch/image-rebuild';
import type {
  FrontEndApi,
  FrontEndContext,
  ListedFunction,
  ProviderFrontEnd,
  SampleOutcome,
} from '../front-end';
import { LAMBDA_SYNC_REQUEST_BYTES, lambdaRequestTooLarge } from '../payload-limits';
import { albApiFor } from './alb/alb-front';
import { ApiGateway } from './apigw/api-gateway';
import { binaryMediaTypesOf, functionUrlId, restBasePath, restRoutePath } from './apigw/api-settings';
import { httpApiEvent, httpApiResponse } from './apigw/http-api-event';
import { acceptsBinary, restEvent } from './apigw/rest-event';
import {
  type AsyncInvokeConfig,
  AsyncInvoker,
  asyncInvokeConfig,
  DEFAULT_RETRY_BASE_DELAY_MS,
} from './async-invocation';
import { awsHttpTriggers } from './http-events';
import { initProblem } from './init-problem';
import { createInvokeApiHandler, type FunctionDirectory } from './invoke-api';
import { LambdaFunction, type LambdaInvokeResult } from './lambda-function';
import { AWS_SAMPLE_EVENTS, isAwsSampleKind, sampleEvent } from './sample-events';
import { sampleOutcome } from './sample-outcome';
import { Scheduler, scheduleTriggers } from './scheduler';
import { websocketApiFor } from './websocket/websocket-front';

export const LOCAL_ACCOUNT_ID = '123456789012';
const API_ID = 'faasportlocal';

/**
 * The AWS side of the emulator: one LambdaFunction per function that targets aws, its API
 * Gateway and function URL routes, schedules, sample events, and the Lambda Invoke API.
 */
export class AwsFrontEnd implements ProviderFrontEnd, FunctionDirectory {
  readonly cloud = 'aws' as const;
  readonly sampleEvents = AWS_SAMPLE_EVENTS;
  readonly region: string;
  readonly accountId = LOCAL_ACCOUNT_ID;
  private readonly functions = new Map<string, { model: FunctionModel; lambda: LambdaFunction }>();
  private readonly schedules: {
    lambda: LambdaFunction;
    trigger: ReturnType<typeof scheduleTriggers>[number];
  }[] = [];
  private readonly scheduler: Scheduler;
  /** Event invokes and schedules: Lambda's queue for asynchronous invocations. */
  private readonly asyncInvoker: AsyncInvoker;
  private readonly asyncConfigs = new Map<string, AsyncInvokeConfig>();
  private websocket: ReturnType<typeof websocketApiFor>;
  private alb: FrontEndApi | undefined;
  /** Built in load(), so a wrong authorizer, template or CORS setting fails before anything serves. */
  private httpRoutes: GatewayRouteDefinition[] = [];

  constructor(private readonly options: FrontEndContext) {
    const region = options.model.targets.aws?.region;
    this.region = typeof region === 'string' ? region : 'us-east-1';
    this.asyncInvoker = new AsyncInvoker({
      find: (reference) => this.find(reference),
      configFor: (lambda) => this.asyncConfigs.get(lambda.name) ?? asyncInvokeConfig({}, lambda.name),
      log: (source, line, stream) => options.logger.line(source, line, stream),
      retryBaseDelayMs: retryBaseDelayMs(options.model.custom, options.model.configFile),
    });
    this.scheduler = new Scheduler(
      options.logger,
      { region: this.region, accountId: this.accountId },
      (lambda, payload, trigger) =>
        this.asyncInvoker.submit(lambda, payload, { requestId: randomUUID(), trigger }),
    );
  }

  /** Creates the functions (no instance starts until the first request, or `prewarm`). */
  async load(): Promise<void> {
    const { model } = this.options;
    for (const fn of model.functions) {
      if (!fn.targets.includes('aws')) continue;
      // An image artefact runs from its reference (docker engine); a zip from its packed source.
      const image = fn.packageType === 'image' ? fn.sourceArtifact.aws : undefined;
      const handler =
        settingFor<string | undefined>(model, fn, 'aws', 'handler', undefined) ?? (image ? '' : undefined);
      if (handler === undefined || (fn.packageType === 'image' && !image)) {
        this.options.logger.line(
          'faasport',
          `${fn.name}: not emulated on aws (${image === undefined && fn.packageType === 'image' ? 'no sourceArtifact for the image' : 'no handler'})`,
          'stderr',
        );
        continue;
      }
      const lambda = new LambdaFunction({
        config: {
          name: fn.name,
          handler,
          ...(image ? { image } : {}),
          runtime: settingFor(model, fn, 'aws', 'runtime', fn.runtime),
          memorySizeMb: settingFor(model, fn, 'aws', 'memorySize', fn.memorySize),
          timeoutSeconds: settingFor(model, fn, 'aws', 'timeout', fn.timeout),
          environment: { ...fn.environment, ...stringMap(fn.overrides.aws?.environment) },
          region: this.region,
          accountId: this.accountId,
        },
        codeDir: image ? model.serviceDir : await this.options.codeDirFor(fn),
        engine: this.options.engine,
        logger: this.options.logger,
        maxConcurrency:
          settingFor(model, fn, 'aws', 'reservedConcurrency', undefined) ?? this.options.defaultConcurrency,
        idleTimeoutMs: this.options.idleTimeoutMs,
      });
      this.functions.set(fn.name, { model: fn, lambda });
      this.asyncConfigs.set(
        fn.name,
        asyncInvokeConfig(
          { ...fn.declared, ...fn.overrides.aws },
          `${model.configFile}: functions.${fn.key}`,
          model.functions.map((other) => other.key),
        ),
      );
      for (const trigger of scheduleTriggers(fn, model.configFile)) this.schedules.push({ lambda, trigger });
    }
    this.websocket = websocketApiFor({
      model,
      functions: this.entries().map(({ model: fn }) => fn),
      has: (name) => this.find(name) !== undefined,
      invoke: async (name, event) => {
        const lambda = this.find(name);
        if (!lambda) throw new Error(`no function ${name}`);
        return invokeForGateway(lambda, event);
      },
      region: this.region,
      accountId: this.accountId,
      apiId: API_ID,
      logger: this.options.logger,
    });
    this.alb = albApiFor({
      model,
      functions: this.entries().map(({ model: fn }) => fn),
      region: this.region,
      accountId: this.accountId,
      invoke: async (name, event) => {
        const lambda = this.find(name);
        const result = lambda && (await invokeForGateway(lambda, event));
        return result && { ...result, facts: facts(result) };
      },
    });
    this.httpRoutes = this.buildRoutes();
  }

  /** Arms `schedule` events (parsed in load(), so a bad expression fails before anything serves). */
  startTriggers(): void {
    for (const { lambda, trigger } of this.schedules) this.scheduler.add(lambda, trigger);
  }

  list(): ListedFunction[] {
    return this.entries().map(({ model, lambda }) => ({ model, served: lambda }));
  }

  /** The Lambda Invoke API, on its own port as the SDKs and CLI expect it. */
  apis(): FrontEndApi[] {
    return [
      {
        port: 'lambda',
        handle: createInvokeApiHandler(this, this.region, this.accountId, this.asyncInvoker),
        endpoint: {
          name: 'Invoke API',
          path: '/2015-03-31/functions/<name>/invocations',
          description: 'Lambda Invoke API (SDK, CLI)',
        },
      },
      ...(this.websocket ? [this.websocket.api] : []),
      ...(this.alb ? [this.alb] : []),
    ];
  }

  /** One sample event (`faasport emulate invoke --event s3|sqs|…`). */
  async invokeSample(fn: FunctionModel, kind: string): Promise<SampleOutcome> {
    if (!isAwsSampleKind(kind)) throw new Error(`not an AWS sample event: ${kind}`);
    const event = sampleEvent(kind, {
      region: this.region,
      accountId: this.accountId,
      functionName: fn.name,
    });
    return this.invokeEvent(fn, event, kind);
  }

  /** One event of the caller's (a JSON file), printed the way a sample's outcome is. */
  async invokeEvent(fn: FunctionModel, event: unknown, trigger = 'event'): Promise<SampleOutcome> {
    const lambda = this.find(fn.name);
    if (!lambda) throw new Error(`${fn.name} does not run on aws here`);
    return sampleOutcome(event, await lambda.invoke(Buffer.from(JSON.stringify(event ?? {})), { trigger }));
  }

  private entries(): { model: FunctionModel; lambda: LambdaFunction }[] {
    return [...this.functions.values()];
  }

  find(nameOrArn: string): LambdaFunction | undefined {
    // Accepts `name`, `arn:aws:lambda:region:acct:function:name[:qualifier]` and `acct:function:name`.
    const match = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
    const name = match ? (match[1] ?? '') : nameOrArn;
    return this.functions.get(name)?.lambda ?? this.byKey(name);
  }

  /** REST routes under `/<stage>` (or at the root, see restBasePath), HTTP API routes at the root, function URLs under `/@url/<function>`. */
  routes(): GatewayRouteDefinition[] {
    return this.httpRoutes;
  }

  private buildRoutes(): GatewayRouteDefinition[] {
    const { stage } = this.options.model;
    const binaryMediaTypes = binaryMediaTypesOf(this.options.model);
    const { logger } = this.options;
    const api = new ApiGateway({
      model: this.options.model,
      region: this.region,
      accountId: this.accountId,
      apiId: API_ID,
      find: (reference) => this.find(reference),
      log: (line, stream) => logger.line('faasport', line, stream),
    });
    for (const line of api.startupLines()) logger.line('faasport', line.text, line.stream);
    const routes: GatewayRouteDefinition[] = [];
    const httpApiPaths: string[] = [];
    for (const { model: fn, lambda } of this.functions.values()) {
      // Lambda's synchronous payload limit, checked when the function is invoked (after any
      // authorizer), answered by the caller in its front end's words.
      const invoke = (payload: Buffer) => {
        if (payload.length > LAMBDA_SYNC_REQUEST_BYTES) throw new LambdaPayloadTooLarge();
        return invokeForGateway(lambda, payload);
      };
      for (const trigger of awsHttpTriggers(fn)) {
        if (trigger.kind === 'rest') {
          const endpoint = api.restEndpoint(fn, trigger, trigger.eventIndex, invoke);
          routes.push({
            method: trigger.method,
            path: restRoutePath(this.options.model, trigger.path),
            description: `${lambda.name} (API Gateway REST)`,
            functionName: lambda.name,
            provider: 'aws',
            handle: async (request, params) => {
              const path = request.path.slice(restBasePath(this.options.model).length) || '/';
              const event = () =>
                restEvent(request, {
                  stage,
                  resource: trigger.path,
                  pathParameters: params,
                  path,
                  binaryMediaTypes,
                  accountId: this.accountId,
                  apiId: API_ID,
                  ...(trigger.operationId ? { operationName: trigger.operationId } : {}),
                });
              try {
                const { response, result } = await endpoint.handle(
                  request,
                  params,
                  path,
                  event,
                  acceptsBinary(request, binaryMediaTypes),
                );
                return { response, ...(result ? { facts: facts(result) } : {}) };
              } catch (error) {
                if (error instanceof LambdaPayloadTooLarge)
                  return { response: lambdaRequestTooLarge('rest') };
                throw error;
              }
            },
          });
        } else {
          const isUrl = trigger.kind === 'function-url';
          const prefix = isUrl ? `/@url/${fn.key}` : '';
          const route = isUrl ? undefined : api.httpApiRoute(fn, trigger, trigger.eventIndex, invoke);
          if (!isUrl) httpApiPaths.push(trigger.path);
          routes.push({
            method: trigger.method,
            path: `${prefix}${trigger.path}`,
            description: `${lambda.name} (${isUrl ? 'function URL' : 'HTTP API'})`,
            functionName: lambda.name,
            provider: 'aws',
            handle: async (request, params) => {
              const local = isUrl ? { ...request, path: request.path.slice(prefix.length) || '/' } : request;
              const event = () =>
                httpApiEvent(local, {
                  routeKey: trigger.routeKey,
                  pathParameters: isUrl || trigger.routeKey === '$default' ? {} : params,
                  accountId: this.accountId,
                  apiId: API_ID,
                  ...(isUrl
                    ? { functionUrl: { urlId: functionUrlId(lambda.name), region: this.region } }
                    : {}),
                });
              if (route) {
                // A payload 1.0 authorizer gets the REST-shaped event of the same request.
                const restShaped = () =>
                  restEvent(request, {
                    stage: '$default',
                    resource: trigger.path,
                    pathParameters: params,
                    path: request.path,
                    binaryMediaTypes,
                    accountId: this.accountId,
                    apiId: API_ID,
                  });
                try {
                  const { response, result } = await route.handle(request, event, restShaped);
                  return { response, ...(result ? { facts: facts(result) } : {}) };
                } catch (error) {
                  if (error instanceof LambdaPayloadTooLarge) {
                    return { response: lambdaRequestTooLarge('http-api') };
                  }
                  throw error;
                }
              }
              const payload = Buffer.from(JSON.stringify(event()));
              if (payload.length > LAMBDA_SYNC_REQUEST_BYTES) {
                return { response: lambdaRequestTooLarge(isUrl ? 'function-url' : 'http-api') };
              }
              const result = await invokeForGateway(lambda, payload);
              if (!result) return { response: httpApiResponse(Buffer.alloc(0), true) };
              return {
                response: httpApiResponse(result.payload, Boolean(result.functionError)),
                facts: facts(result),
              };
            },
          });
        }
      }
    }
    const taken = (method: string, path: string) =>
      routes.some((r) => r.method === method && r.path === path);
    const restTaken = (method: string, path: string) =>
      taken(method, restRoutePath(this.options.model, path));
    routes.push(...api.restPreflightRoutes(restTaken), ...api.httpApiPreflightRoutes(httpApiPaths, taken));
    return routes;
  }

  /** Zip functions move to new code on reload; an image only changes when it is rebuilt. */
  reloadTargets(): ReloadTarget[] {
    return this.entries()
      .filter(({ model }) => model.packageType !== 'image')
      .map(({ model, lambda }) => ({
        provider: 'aws' as const,
        name: lambda.name,
        model,
        tryCode: async (codeDir) => {
          const error = await lambda.tryCode(codeDir);
          return error ? initProblem(error, codeDir) : undefined;
        },
        updateCode: (codeDir) => lambda.updateCode(codeDir),
      }));
  }

  /** Container-image functions that say how they are built (`image.build`): rebuilt on change. */
  imageReloadTargets(): ImageReloadTarget[] {
    const targets: ImageReloadTarget[] = [];
    for (const { model, lambda } of this.entries()) {
      const reference = model.sourceArtifact.aws;
      const { imageBuild } = model;
      if (model.packageType !== 'image' || !reference || !imageBuild) continue;
      targets.push({
        name: lambda.name,
        model: { ...model, imageBuild },
        reference,
        tryImage: async (imageId) => {
          const error = await lambda.tryImage(imageId);
          return error ? initProblem(error, '/var/task') : undefined;
        },
        pinImage: (imageId) => lambda.pinImage(imageId),
        updateImage: (imageId) => lambda.updateImage(imageId),
      });
    }
    return targets;
  }

  async prewarm(eager: boolean): Promise<void> {
    await Promise.all(
      this.entries().map(({ model, lambda }) => {
        const count = model.provisionedConcurrency ?? (eager ? 1 : 0);
        return count > 0 ? lambda.prewarm(count) : undefined;
      }),
    );
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    this.asyncInvoker.stop();
    this.websocket?.close();
    await Promise.all(this.entries().map(({ lambda }) => lambda.close()));
  }

  private byKey(key: string): LambdaFunction | undefined {
    for (const entry of this.functions.values()) if (entry.model.key === key) return entry.lambda;
    return undefined;
  }
}

/** Undefined when throttled: API Gateway then answers 500 without invoking. */
async function invokeForGateway(
  lambda: LambdaFunction,
  event: unknown,
): Promise<LambdaInvokeResult | undefined> {
  try {
    return await lambda.invoke(Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event)), {
      trigger: 'http',
    });
  } catch (error) {
    if (error instanceof ThrottledError) return undefined;
    throw error;
  }
}

/** An event over Lambda's synchronous payload limit: refused without invoking. */
class LambdaPayloadTooLarge extends Error {
  override readonly name = 'LambdaPayloadTooLarge';
}

function facts(result: LambdaInvokeResult): InvocationFacts {
  return {
    cold: result.cold,
    instanceId: result.instanceId,
    ...(result.initDurationMs !== undefined ? { initDurationMs: result.initDurationMs } : {}),
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** `custom.faasport.asyncRetryBaseDelaySeconds`: Lambda's minute before a retry, shorter for a dev loop. */
function retryBaseDelayMs(custom: Record<string, unknown>, file: string): number {
  const value = custom.asyncRetryBaseDelaySeconds;
  if (value === undefined) return DEFAULT_RETRY_BASE_DELAY_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 3600)
    throw new UserError(
      `${file}: custom.faasport.asyncRetryBaseDelaySeconds: ${JSON.stringify(value)} is not a number of seconds from 0 to 3600`,
      {
        hint: 'Lambda waits 60 s before the first retry of a failed asynchronous invocation and 120 s before the second.',
        exitCode: 2,
      },
    );
  return value * 1000;
}
