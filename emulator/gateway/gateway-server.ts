import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from '../../common/http/body';
import { nonLoopbackReason } from '../../common/http/loopback-guard';
import { compileRoutePattern, type RoutePattern } from '../../common/http/route-pattern';
import type { GatewayResponse } from './gateway-response';
import { jsonResponse } from './gateway-response';
import { type GatewayRequest, toGatewayRequest } from './http-request';

/** Whether the response came from a cold start, for the x-faasport-* headers. */
export interface InvocationFacts {
  cold: boolean;
  initDurationMs?: number;
  instanceId: string;
}

/** `x-faasport-cold`, `x-faasport-instance` and (cold starts) `x-faasport-init-ms`. */
export function factsHeaders(facts: InvocationFacts): [string, string][] {
  return [
    ['x-faasport-cold', String(facts.cold)],
    ['x-faasport-instance', facts.instanceId],
    ...(facts.initDurationMs !== undefined
      ? [['x-faasport-init-ms', facts.initDurationMs.toFixed(1)] as [string, string]]
      : []),
  ];
}

export type RouteHandler = (
  request: GatewayRequest,
  params: Record<string, string>,
) => Promise<{ response: GatewayResponse; facts?: InvocationFacts }>;

export interface GatewayRouteDefinition {
  /** HTTP method, or `ANY`. */
  method: string;
  /** Path template, e.g. `/dev/items/{id}`. */
  path: string;
  /** For the endpoint table: `GET /dev/items/{id} → svc-dev-items (REST)`. */
  description: string;
  /** The function behind the route, when there is one (the demo and the docs list them). */
  functionName?: string;
  /** `aws`, `gcp` or `azure`. */
  provider?: string;
  handle: RouteHandler;
}

type CompiledRoute = GatewayRouteDefinition & { pattern: RoutePattern };

/**
 * How long a client's idle keep-alive connection is kept: 65 s, as servers behind a 60 s load
 * balancer use, not Node's 5 s. A server that closes an idle connection races the client reusing
 * it: when the event loop is busy across that deadline (a loaded machine), the request the client
 * just sent on the connection is dropped ("socket hang up"; the fault suite met it on a busy
 * 2-core machine). Clients read the `Keep-Alive: timeout=65` hint and close first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Applies KEEP_ALIVE_TIMEOUT_MS to a server the emulator's callers talk to. */
export function keepConnectionsAlive<S extends Server>(server: S): S {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/**
 * The HTTP front door: routes requests to provider adapters by method and path template (most
 * specific template first) and adds the cold/warm headers every provider shares.
 */
export class GatewayServer {
  private routes: CompiledRoute[] = [];
  private readonly server: Server;
  private readonly control = new Map<string, RouteHandler>();
  /** Handlers that take the raw request first (the console, its event stream); false passes it on. */
  private readonly mounted: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>)[] = [];

  /** `limit`: the largest body the cloud's front door takes, and how it refuses more. */
  /** The address listened on: a Host naming it (`--host 192.168.1.5`) is accepted on control routes. */
  private boundHost: string | undefined;

  constructor(private readonly limit: { bytes: number; tooLarge(): GatewayResponse }) {
    this.server = keepConnectionsAlive(
      createServer((req, res) => {
        this.handle(req, res).catch((error: unknown) => {
          if (!res.headersSent)
            write(res, jsonResponse(500, { message: 'faasport gateway error', detail: String(error) }));
          else res.destroy();
        });
      }),
    );
  }

  setRoutes(routes: GatewayRouteDefinition[]): void {
    this.routes = routes
      .map((route) => ({
        ...route,
        method: route.method.toUpperCase(),
        pattern: compileRoutePattern(route.path),
      }))
      .sort(
        (a, b) =>
          b.pattern.specificity - a.pattern.specificity ||
          Number(a.method === 'ANY') - Number(b.method === 'ANY'),
      );
  }

  listRoutes(): readonly GatewayRouteDefinition[] {
    return this.routes;
  }

  /** `/__faasport/...` endpoints (recycle, status): matched before user routes. */
  addControl(method: string, path: string, handle: RouteHandler): void {
    this.control.set(`${method.toUpperCase()} ${path}`, handle);
  }

  /** Serves what `handler` claims (it answers true) before any route; streams stay open. */
  mount(handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>): void {
    this.mounted.push(handler);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.boundHost = host;
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const handler of this.mounted) if (await handler(req, res)) return;
    const body = await readRequestBody(req, this.limit.bytes);
    if (body === undefined) return write(res, this.limit.tooLarge());
    const request = toGatewayRequest(req, body);
    const found = this.find(request);
    if (!found) return write(res, jsonResponse(404, { message: 'Not Found' }));
    // Control routes (recycle, …) answer this machine only: not a page of another site, nor a
    // rebound host name. Scripts send no Origin and pass.
    const refused = found.control
      ? nonLoopbackReason(req, this.boundHost ? [this.boundHost] : [])
      : undefined;
    if (refused) return write(res, jsonResponse(403, { message: `refused: ${refused}` }));
    const { response, facts } = await found.handle(request, found.params);
    if (facts) response.headers.push(...factsHeaders(facts));
    write(res, response);
  }

  private find(
    request: GatewayRequest,
  ): { handle: RouteHandler; params: Record<string, string>; control?: boolean } | undefined {
    const control = this.control.get(`${request.method} ${controlKey(request.path)}`);
    if (control) return { handle: control, params: controlParams(request.path), control: true };
    for (const route of this.routes) {
      if (route.method !== 'ANY' && route.method !== request.method) continue;
      const params = route.pattern.match(request.path);
      if (params) return { handle: route.handle, params };
    }
    return undefined;
  }
}

/** `/__faasport/functions/<name>/recycle` → `/__faasport/functions/{name}/recycle`. */
function controlKey(path: string): string {
  return path.replace(/^\/__faasport\/functions\/[^/]+(\/|$)/, '/__faasport/functions/{name}$1');
}

function controlParams(path: string): Record<string, string> {
  const match = /^\/__faasport\/functions\/([^/]+)/.exec(path);
  return match ? { name: decodeURIComponent(match[1] ?? '') } : {};
}

function write(res: ServerResponse, response: GatewayResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    const key = name.toLowerCase();
    const existing = headers[key];
    if (existing === undefined) headers[key] = value;
    else headers[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers['content-length'] = String(response.body.length);
  res.writeHead(response.status, headers);
  res.end(response.body);
}
