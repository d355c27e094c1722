import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readRequestBody, sendJson } from '../common/http/body';
import { nonLoopbackReason } from '../common/http/loopback-guard';
import { compileRoutePattern, type RoutePattern } from '../common/http/route-pattern';
import { bearerProblem, type CloudAuth } from './auth/cloud-auth';
import { CloudError } from './cloud-error';
import type { LoggedRequest, RequestLog } from './request-log';

export const REQUEST_LOG_PATH = '/__faasport/cloud/requests';
/** Every control plane also says where all of them listen (what `.faasport/cloud.json` holds). */
export const ENDPOINTS_PATH = '/__faasport/cloud/endpoints';

export interface CloudRequest {
  method: string;
  path: string;
  /** Path and query exactly as sent (percent-encoded), for checking signatures. */
  rawUrl: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CloudResponse {
  status: number;
  /** Serialised as JSON; omit for an empty body. */
  json?: unknown;
  /** Raw bytes (S3 XML, object content). */
  body?: Buffer;
  headers?: Record<string, string>;
}

export interface CloudRoute {
  method: string;
  path: string;
  operation: string;
  write: boolean;
  /**
   * Served without the plane's credentials: a deployed function's own URL, or a URL that carries
   * its own signature (checked by the route).
   */
  open?: boolean;
  handle(request: CloudRequest): CloudResponse | Promise<CloudResponse>;
}

/** A route of a cloud API: `write` says whether the call may change state (the request log keeps it). */
export function cloudRoute(
  method: string,
  path: string,
  operation: string,
  write: boolean,
  handle: CloudRoute['handle'],
): CloudRoute {
  return { method, path, operation, write, handle };
}

/** The same route, served without the plane's credentials (see `CloudRoute.open`). */
export function openRoute(route: CloudRoute): CloudRoute {
  return { ...route, open: true };
}

/** One cloud API served by a control plane: its routes and how it writes errors on the wire. */
export interface CloudApi {
  provider: LoggedRequest['provider'];
  routes: CloudRoute[];
  /** Largest request body accepted; larger ones get `tooLarge`. */
  bodyLimit: number;
  tooLarge(): CloudError;
  errorResponse(error: CloudError): CloudResponse;
  /** The cloud's answer to a call without the plane's credentials, or undefined when they are right. */
  authenticate(request: CloudRequest, auth: CloudAuth): CloudError | undefined;
  /** Runs before every routed call: injected faults throw a CloudError here. */
  beforeCall?(route: CloudRoute, request: CloudRequest): void;
}

/** Who may call a plane: holders of its credentials, through a loopback Host, from no foreign page. */
export interface PlaneAccess {
  auth: CloudAuth;
  /** Host names besides loopback ones that requests may be addressed to (`--cloud-host`). */
  allowedHosts: readonly string[];
}

/** A key pair to serve HTTPS with (PEM); without it the server speaks plain HTTP. */
export interface ServerTls {
  key: string;
  cert: string;
}

interface CompiledRoute {
  route: CloudRoute;
  pattern: RoutePattern;
}

/**
 * An HTTP server for one cloud API on 127.0.0.1 (unless told otherwise): routes by method and path
 * as the SDK's REST protocol sends them, checks the caller's credentials as the cloud does (the
 * API's `authenticate`), logs every call, and serves the shared request log at
 * `/__faasport/cloud/requests` to holders of the plane's token. Requests addressed to a host that
 * is not this machine (DNS rebinding) or sent by a page from elsewhere are refused first.
 */
export class ControlPlaneServer {
  private readonly server: Server;
  private readonly compiled: CompiledRoute[];
  private address: AddressInfo | undefined;
  private endpoints: unknown;

  constructor(
    private readonly api: CloudApi,
    private readonly log: RequestLog,
    private readonly access: PlaneAccess,
    private readonly tls?: ServerTls,
  ) {
    this.compiled = api.routes
      .map((route) => ({ route, pattern: compileRoutePattern(route.path) }))
      .sort((a, b) => b.pattern.specificity - a.pattern.specificity);
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.destroy();
      });
    };
    // Azure's SDKs send bearer tokens only over HTTPS, so that plane listens with TLS.
    this.server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
    // Deployers keep connections alive; do not let an idle socket hold close() up.
    this.server.keepAliveTimeout = 1_000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
  }

  /** What `GET /__faasport/cloud/endpoints` answers. */
  describe(endpoints: unknown): void {
    this.endpoints = endpoints;
  }

  get url(): string {
    if (!this.address) throw new Error('control plane not listening');
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `${this.tls ? 'https' : 'http'}://${host}:${this.address.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control-plane');
    const method = req.method ?? 'GET';
    const found = this.match(method, url.pathname);
    // A deployed function's own URL is served as the emulator's gateway serves functions.
    const refused = found?.route.open ? undefined : nonLoopbackReason(req, this.access.allowedHosts);
    if (refused) {
      await drain(req);
      sendJson(res, 403, {
        message: `faasport local cloud: refused, ${refused} (the control planes answer only this machine)`,
      });
      return;
    }
    if (url.pathname === REQUEST_LOG_PATH) {
      const problem = bearerProblem(req.headers.authorization, this.access.auth);
      if (problem) {
        await drain(req);
        sendJson(res, 401, {
          message: `faasport local cloud: the request log needs the token in .faasport/cloud.json (auth.token) as a bearer token; it was ${problem}`,
        });
        return;
      }
      if (method === 'DELETE') {
        this.log.clear();
        res.writeHead(204).end();
        return;
      }
      sendJson(res, 200, this.log.list());
      return;
    }
    if (url.pathname === ENDPOINTS_PATH && method === 'GET' && this.endpoints !== undefined) {
      sendJson(res, 200, this.endpoints);
      return;
    }
    if (!found) {
      // Unknown calls are logged too: a deployer calling something unexpected must show up.
      this.log.record({
        provider: this.api.provider,
        method,
        path: url.pathname,
        operation: 'Unknown',
        write: method !== 'GET' && method !== 'HEAD',
        status: 404,
      });
      await drain(req);
      return write(
        res,
        this.api.errorResponse(
          new CloudError(404, 'UnknownOperationException', `Unknown operation ${method} ${url.pathname}`),
        ),
      );
    }
    const { route, params } = found;
    const body = await readRequestBody(req, this.api.bodyLimit);
    let response: CloudResponse;
    if (body === undefined) {
      response = this.api.errorResponse(this.api.tooLarge());
    } else {
      const request: CloudRequest = {
        method,
        path: url.pathname,
        rawUrl: req.url ?? '/',
        query: url.searchParams,
        params,
        headers: req.headers,
        body,
      };
      try {
        const denied = route.open ? undefined : this.api.authenticate(request, this.access.auth);
        if (denied) throw denied;
        this.api.beforeCall?.(route, request);
        response = await route.handle(request);
      } catch (error) {
        if (!(error instanceof CloudError)) throw error;
        response = this.api.errorResponse(error);
      }
    }
    this.log.record({
      provider: this.api.provider,
      method,
      path: url.pathname,
      operation: route.operation,
      write: route.write,
      status: response.status,
    });
    write(res, response, method === 'HEAD');
  }

  private match(
    method: string,
    path: string,
  ): { route: CloudRoute; params: Record<string, string> } | undefined {
    for (const { route, pattern } of this.compiled) {
      if (route.method !== method) continue;
      const params = pattern.match(path);
      if (params) return { route, params };
    }
    return undefined;
  }
}

function write(res: ServerResponse, response: CloudResponse, head = false): void {
  const headers = { ...response.headers };
  let bytes: Buffer | undefined = response.body;
  if (response.json !== undefined) {
    bytes = Buffer.from(JSON.stringify(response.json));
    headers['content-type'] ??= 'application/json';
  }
  if (bytes && !('content-length' in headers)) headers['content-length'] = String(bytes.length);
  res.writeHead(response.status, headers);
  res.end(head ? undefined : bytes);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // discard
  }
}
