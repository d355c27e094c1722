import { UserError } from '../../../../common/errors';
import type { FunctionModel, ServiceModel } from '../../../../common/service/service-model';
import type { EmulatorLogger } from '../../../logger';
import type { FrontEndApi } from '../../front-end';
import { type RouteInvoker, WebSocketApi } from './websocket-api';
import { type WebSocketRoute, websocketRoutes } from './websocket-routes';

const DEFAULT_ROUTE_SELECTION = '$request.body.action';

/**
 * The websocket API of a service, when some function has `websocket` events: its routes checked
 * (one function per route key; authorizers that name a function of the service) before anything
 * listens, and the API served on the websocket port.
 */
export function websocketApiFor(options: {
  model: ServiceModel;
  functions: FunctionModel[];
  /** Whether a name, key or ARN is a function served here. */
  has(nameOrArn: string): boolean;
  invoke: RouteInvoker;
  region: string;
  accountId: string;
  apiId: string;
  logger: EmulatorLogger;
}): { api: FrontEndApi; close(): void } | undefined {
  const routes: WebSocketRoute[] = options.functions.flatMap(websocketRoutes);
  if (routes.length === 0) return undefined;
  const file = options.model.configFile;
  const seen = new Map<string, string>();
  for (const route of routes) {
    const other = seen.get(route.routeKey);
    if (other)
      throw new UserError(
        `${file}: websocket route "${route.routeKey}" is on both functions.${other} and functions.${route.functionKey}`,
        { hint: 'A route key goes to one function; remove one of the two events.', exitCode: 2 },
      );
    seen.set(route.routeKey, route.functionKey);
    if (route.authorizer && route.routeKey !== '$connect')
      throw new UserError(
        `${file}: functions.${route.functionKey}: a websocket authorizer is only for $connect`,
        {
          hint: `Move the authorizer to the $connect route (route "${route.routeKey}" cannot have one).`,
          exitCode: 2,
        },
      );
    if (route.authorizer && !options.has(route.authorizer.function))
      throw new UserError(
        `${file}: functions.${route.functionKey}: websocket authorizer "${route.authorizer.function}" is not a function of this service`,
        { hint: 'Name a function under functions: (its key or deployed name), or its ARN.', exitCode: 2 },
      );
  }
  const expression = options.model.provider?.websocketsApiRouteSelectionExpression;
  const api = new WebSocketApi({
    routes,
    stage: options.model.stage,
    apiId: options.apiId,
    region: options.region,
    accountId: options.accountId,
    routeSelectionExpression: typeof expression === 'string' ? expression : DEFAULT_ROUTE_SELECTION,
    invoke: options.invoke,
    logger: options.logger,
  });
  const { stage } = options.model;
  return {
    api: {
      port: 'websocket',
      handle: (req, res) => api.handleHttp(req, res),
      upgrade: (req, socket, head) => {
        api.handleUpgrade(req, socket, head).catch((error: unknown) => {
          options.logger.line('faasport', `websocket handshake failed: ${String(error)}`, 'stderr');
          socket.destroy();
        });
      },
      endpoint: {
        name: 'WebSocket',
        path: `/${stage}`,
        description: `API Gateway websockets (${[...seen.keys()].join(', ')}); @connections at http://…/${stage}/@connections/{id}`,
        scheme: 'ws',
      },
    },
    close: () => api.close(),
  };
}
