import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { TextDecoder } from 'node:util';
import { readRequestBody, sendJson } from '../../../../common/http/body';
import { toGatewayRequest } from '../../../gateway/http-request';
import type { EmulatorLogger } from '../../../logger';
import { authorizeConnect } from './connect-authorizer';
import { Connection, MAX_MESSAGE_BYTES } from './connection';
import { acceptKey } from './frames';
import {
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  messageEvent,
  newConnectionId,
  selectRoute,
  type WebSocketApiFacts,
} from './websocket-events';
import type { WebSocketRoute } from './websocket-routes';

/** What the API needs of a function: its answer, or undefined when it was throttled. */
export type RouteInvoker = (
  functionKey: string,
  event: unknown,
) => Promise<{ payload: Buffer; functionError?: { errorType: string } } | undefined>;

export interface WebSocketApiOptions {
  routes: WebSocketRoute[];
  stage: string;
  apiId: string;
  region: string;
  accountId: string;
  /** `provider.websocketsApiRouteSelectionExpression`, `$request.body.action` by default. */
  routeSelectionExpression: string;
  invoke: RouteInvoker;
  logger: EmulatorLogger;
}

/**
 * An API Gateway websocket API on its own port: the handshake runs `$connect` (and its
 * authorizer) before it is accepted, messages take their route by the selection expression,
 * a closed socket runs `$disconnect`, and the `@connections` management API (POST, GET, DELETE)
 * answers on the same port at `/<stage>/@connections/{id}`, as the SDK's
 * ApiGatewayManagementApi calls it.
 */
export class WebSocketApi {
  private readonly connections = new Map<string, Connection>();
  private readonly routes = new Map<string, WebSocketRoute>();

  constructor(private readonly options: WebSocketApiOptions) {
    for (const route of options.routes) this.routes.set(route.routeKey, route);
  }

  /** Route keys other than `$connect` and `$disconnect`: what a message may select. */
  private messageRouteKeys(): Set<string> {
    return new Set([...this.routes.keys()].filter((key) => key !== '$connect' && key !== '$disconnect'));
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const key = req.headers['sec-websocket-key'];
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.headers.upgrade?.toLowerCase() !== 'websocket' || typeof key !== 'string')
      return refuse(socket, 400);
    if (req.headers['sec-websocket-version'] !== '13')
      return refuse(socket, 426, { 'Sec-WebSocket-Version': '13' });
    if (path !== '/' && path.replace(/\/$/, '') !== `/${this.options.stage}`) return refuse(socket, 404);

    const request = toGatewayRequest(req, Buffer.alloc(0));
    const api = this.facts(req);
    const facts: ConnectionFacts = {
      connectionId: newConnectionId(),
      connectedAt: request.receivedAt.getTime(),
      sourceIp: request.sourceIp,
      userAgent: req.headers['user-agent'] ?? '',
    };
    const connect = this.routes.get('$connect');
    if (connect?.authorizer) {
      const authorizer = connect.authorizer;
      const outcome = await authorizeConnect({
        identitySource: authorizer.identitySource,
        request,
        connectRequestContext: connectEvent(api, facts, request).requestContext as Record<string, unknown>,
        methodArn: `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${this.options.apiId}/${this.options.stage}/$connect`,
        invoke: (event) => this.options.invoke(authorizer.function, event),
      });
      if (!outcome.allowed) return refuse(socket, outcome.status);
      facts.authorizer = outcome.authorizer;
    }
    if (connect) {
      const result = await this.options.invoke(connect.functionKey, connectEvent(api, facts, request));
      const status = result ? connectStatus(result) : 429;
      if (status < 200 || status > 299) return refuse(socket, status);
    }
    if (socket.destroyed) return;
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${acceptKey(key)}`,
        '',
        '',
      ].join('\r\n'),
    );
    const connection = new Connection(facts, socket, {
      onMessage: (message) => {
        this.onMessage(api, connection, message).catch((error: unknown) =>
          this.options.logger.line('faasport', `websocket ${facts.connectionId}: ${String(error)}`, 'stderr'),
        );
      },
      onClosed: (close) => {
        this.connections.delete(facts.connectionId);
        const route = this.routes.get('$disconnect');
        if (route)
          this.options
            .invoke(route.functionKey, disconnectEvent(api, facts, request, close))
            .catch(() => undefined);
      },
    });
    this.connections.set(facts.connectionId, connection);
    if (head.length) socket.unshift(head);
  }

  private async onMessage(
    api: WebSocketApiFacts,
    connection: Connection,
    message: { binary: boolean; data: Buffer },
  ): Promise<void> {
    const routeKey = selectRoute(this.options.routeSelectionExpression, message, this.messageRouteKeys());
    const event = messageEvent(api, connection.facts, routeKey ?? '$default', message);
    const requestId = (event.requestContext as { requestId: string }).requestId;
    const { connectionId } = connection.facts;
    const route = routeKey === undefined ? undefined : this.routes.get(routeKey);
    if (!route) {
      sendText(connection, { message: 'Forbidden', connectionId, requestId });
      return;
    }
    const result = await this.options.invoke(route.functionKey, event);
    if (!result || result.functionError) {
      sendText(connection, { message: 'Internal server error', connectionId, requestId });
      return;
    }
    if (route.twoWay) {
      const body = routeResponseBody(result.payload);
      if (body !== undefined) connection.send(Buffer.from(body), false);
    }
  }

  /** The `@connections` API; anything else on this port is a 404 (or 426 without an upgrade). */
  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    } catch {
      return sendJson(res, 400, { message: 'Invalid path' });
    }
    const match = /^(?:\/[^/]+)?\/@connections\/([^/]+)$/.exec(path);
    if (!match) {
      const upgrade = path === '/' || path.replace(/\/$/, '') === `/${this.options.stage}`;
      return sendJson(res, upgrade ? 426 : 404, {
        message: upgrade ? 'Connect with a WebSocket client' : 'Not Found',
      });
    }
    const connection = this.connections.get(match[1] ?? '');
    const method = req.method ?? 'GET';
    if (!['GET', 'POST', 'DELETE'].includes(method))
      return sendJson(res, 405, { message: 'Method Not Allowed' });
    const body = await readRequestBody(req, MAX_MESSAGE_BYTES);
    if (!connection?.open)
      return sendJson(res, 410, { message: null }, { 'x-amzn-errortype': 'GoneException' });
    if (method === 'GET') {
      const { facts } = connection;
      return sendJson(res, 200, {
        connectedAt: new Date(facts.connectedAt).toISOString(),
        identity: { sourceIp: facts.sourceIp, userAgent: facts.userAgent },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
    }
    if (method === 'DELETE') {
      connection.close(1000);
      res.writeHead(204).end();
      return;
    }
    if (body === undefined)
      return sendJson(
        res,
        413,
        { message: `Message too long. Max bytes: ${MAX_MESSAGE_BYTES}` },
        { 'x-amzn-errortype': 'PayloadTooLargeException' },
      );
    connection.send(body, !isUtf8(body));
    res.writeHead(200, { 'content-length': '0' }).end();
  }

  /** Closes every connection (going away), as a stopping API does. */
  close(): void {
    for (const connection of this.connections.values()) connection.close(1001);
    this.connections.clear();
  }

  private facts(req: IncomingMessage): WebSocketApiFacts {
    return {
      apiId: this.options.apiId,
      stage: this.options.stage,
      // Reachable from a handler: `http://${domainName}/${stage}` is the management endpoint.
      domainName: req.headers.host ?? '127.0.0.1',
    };
  }
}

/** `$connect` accepts unless its result says a status outside 2xx (or it failed: 500). */
function connectStatus(result: { payload: Buffer; functionError?: unknown }): number {
  if (result.functionError) return 500;
  try {
    const answer = JSON.parse(result.payload.toString('utf8')) as { statusCode?: unknown } | null;
    const status = Number(answer?.statusCode ?? 200);
    return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
  } catch {
    return 500;
  }
}

/** What a two-way route sends back: a proxy result's `body`, a string as it is, else its JSON. */
function routeResponseBody(payload: Buffer): string | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (answer === null || answer === undefined) return undefined;
  if (typeof answer === 'string') return answer;
  if (typeof answer === 'object' && !Array.isArray(answer) && 'body' in answer) {
    const body = (answer as { body?: unknown }).body;
    return typeof body === 'string'
      ? body
      : body === undefined || body === null
        ? undefined
        : JSON.stringify(body);
  }
  return JSON.stringify(answer);
}

function sendText(connection: Connection, value: unknown): void {
  connection.send(Buffer.from(JSON.stringify(value)), false);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(data: Buffer): boolean {
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ message: reason });
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
