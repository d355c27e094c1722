import type { GatewayResponse } from '../../../gateway/gateway-response';
import type { GatewayRequest } from '../../../gateway/http-request';
import { queryPairs } from '../../../gateway/http-request';
import type { LambdaInvokeResult } from '../lambda-function';
import type { HttpApiLambdaAuthorizer } from './authorizers/http-api-authorizers';
import type { JwtAuthorizer } from './authorizers/jwt-authorizer';
import { type HttpApiCorsSettings, httpApiPreflight, isPreflight, withHttpApiCors } from './http-api-cors';
import { httpApiResponse } from './http-api-event';

export interface HttpApiRouteDeps {
  cors: HttpApiCorsSettings | undefined;
  authorizer:
    | { kind: 'lambda'; authorizer: HttpApiLambdaAuthorizer }
    | { kind: 'jwt'; authorizer: JwtAuthorizer; scopes: string[] }
    | undefined;
  /** `arn:aws:execute-api:<region>:<account>:<api>/$default/<METHOD><path>`. */
  routeArn: (method: string, path: string) => string;
  invoke: (payload: Buffer) => Promise<LambdaInvokeResult | undefined>;
}

/** One HTTP API route as API Gateway runs it: its authorizer, the function, then CORS. */
export class HttpApiRoute {
  constructor(private readonly deps: HttpApiRouteDeps) {}

  /** `event` builds the route's 2.0 event; `restShaped` the 1.0 event of a payload 1.0 authorizer. */
  async handle(
    request: GatewayRequest,
    event: () => Record<string, unknown>,
    restShaped: () => Record<string, unknown>,
  ): Promise<{ response: GatewayResponse; result?: LambdaInvokeResult }> {
    const { cors } = this.deps;
    if (cors && isPreflight(request)) return { response: httpApiPreflight(cors, request) };
    const outcome = await this.run(request, event, restShaped);
    return cors ? { ...outcome, response: withHttpApiCors(cors, request, outcome.response) } : outcome;
  }

  private async run(
    request: GatewayRequest,
    event: () => Record<string, unknown>,
    restShaped: () => Record<string, unknown>,
  ): Promise<{ response: GatewayResponse; result?: LambdaInvokeResult }> {
    const built = event();
    const { authorizer } = this.deps;
    if (authorizer) {
      const context = built.requestContext as Record<string, unknown>;
      const inputs = { headers: request.headers, query: queryPairs(request.rawQuery), context };
      const outcome =
        authorizer.kind === 'jwt'
          ? await authorizer.authorizer.authorize(inputs, authorizer.scopes)
          : await authorizer.authorizer.authorize(
              inputs,
              this.deps.routeArn(request.method, request.path),
              () => built,
              restShaped,
            );
      if (!outcome.allowed) return { response: outcome.response };
      context.authorizer = outcome.authorizer;
    }
    const result = await this.deps.invoke(Buffer.from(JSON.stringify(built)));
    if (!result) return { response: httpApiResponse(Buffer.alloc(0), true) };
    return { response: httpApiResponse(result.payload, Boolean(result.functionError)), result };
  }
}
