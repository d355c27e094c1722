import type { FunctionModel } from '../../../../common/service/service-model';

/** One `websocket` event: its route, whether the function's answer goes back, its authorizer. */
export interface WebSocketRoute {
  functionKey: string;
  routeKey: string;
  /** `routeResponseSelectionExpression` set: the function's answer is sent to the client. */
  twoWay: boolean;
  /** `$connect` only: a function of the service (key, name or ARN) and where its identity is. */
  authorizer?: { function: string; identitySource: string[] };
}

/** serverless' default identity source for a websocket authorizer. */
const DEFAULT_IDENTITY_SOURCE = ['route.request.header.Auth'];

/** The `websocket` events of a function, as routes. */
export function websocketRoutes(fn: FunctionModel): WebSocketRoute[] {
  const routes: WebSocketRoute[] = [];
  for (const event of fn.events) {
    if (!('websocket' in event)) continue;
    const spec = event.websocket;
    if (typeof spec === 'string') {
      routes.push({ functionKey: fn.key, routeKey: spec, twoWay: false });
      continue;
    }
    if (typeof spec !== 'object' || spec === null) continue;
    const record = spec as Record<string, unknown>;
    const route: WebSocketRoute = {
      functionKey: fn.key,
      routeKey: String(record.route),
      twoWay: typeof record.routeResponseSelectionExpression === 'string',
    };
    const authorizer = authorizerOf(record.authorizer);
    if (authorizer) route.authorizer = authorizer;
    routes.push(route);
  }
  return routes;
}

function authorizerOf(value: unknown): WebSocketRoute['authorizer'] {
  if (typeof value === 'string') return { function: value, identitySource: DEFAULT_IDENTITY_SOURCE };
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const target = typeof record.arn === 'string' ? record.arn : record.name;
  if (typeof target !== 'string') return undefined;
  const source = record.identitySource;
  const identitySource =
    typeof source === 'string'
      ? [source]
      : Array.isArray(source)
        ? source.map(String)
        : DEFAULT_IDENTITY_SOURCE;
  return { function: target, identitySource };
}
