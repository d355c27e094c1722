import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../../common/http/body';
import { nonLoopbackReason } from '../../common/http/loopback-guard';
import { entryScript, readAsset } from './console-assets';
import type { ConsoleBackend } from './console-backend';
import { consolePage } from './console-page';
import { ConsoleToken } from './console-token';
import { streamEvents } from './event-stream';

export const CONSOLE_PATH = '/__faasport/';
const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Only this page's own scripts and styles; no frames, no other origin. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

type Handler = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => Promise<void> | void;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Needs the page's token: it changes something, or reads what may hold secrets. */
  token: boolean;
  handle: Handler;
}

/**
 * The browser console and the event stream, served on the API Gateway port under /__faasport/.
 * Every request must come from this machine (common/http/loopback-guard.ts); every call that
 * changes something must also carry the token written into the console page.
 */
export class LocalConsole {
  private readonly token = new ConsoleToken();
  private readonly routes: Route[];

  constructor(
    private readonly backend: ConsoleBackend,
    /** Also serve the page and its API; without, only the event stream. */
    private readonly withPage: boolean,
  ) {
    const route = (method: Route['method'], pattern: RegExp, token: boolean, handle: Handler): Route => ({
      method,
      pattern,
      token,
      handle,
    });
    this.routes = [
      route('GET', /^\/__faasport\/events$/, false, (req, res) => this.events(req, res)),
      ...(withPage
        ? [
            route('GET', /^\/__faasport\/$/, false, (_req, res) => this.page(res)),
            route('GET', /^\/__faasport\/ui\/(.+)$/, false, (_req, res, m) => this.asset(res, m[1] ?? '')),
            route('GET', /^\/__faasport\/api\/state$/, false, (_req, res) => json(res, 200, this.state())),
            route('GET', /^\/__faasport\/api\/invocations\/([^/]+)\/input$/, true, (_req, res, m) =>
              this.input(res, m),
            ),
            route('POST', /^\/__faasport\/api\/invocations\/([^/]+)\/replay$/, true, (req, res, m) =>
              this.replay(req, res, m),
            ),
            route('POST', /^\/__faasport\/api\/functions\/([^/]+)\/recycle$/, true, (_req, res, m) =>
              this.recycle(res, m),
            ),
            route('POST', /^\/__faasport\/api\/functions\/([^/]+)\/sample$/, true, (req, res, m) =>
              this.sample(req, res, m),
            ),
          ]
        : []),
    ];
  }

  /** Serves the request when it is the console's; false when it is not (the gateway goes on). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (this.withPage && path === '/__faasport') {
      res.writeHead(308, { location: CONSOLE_PATH }).end();
      return true;
    }
    let found: { route: Route; match: RegExpExecArray } | undefined;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (match) {
        found = { route, match };
        break;
      }
    }
    if (!found) return false;
    const { route, match } = found;
    const refused = nonLoopbackReason(req);
    if (refused) json(res, 403, { message: `refused: ${refused}` });
    else if (req.method !== route.method) json(res, 405, { message: `${path} takes ${route.method}` });
    else if (route.token && !this.token.matches(req))
      json(res, 403, { message: 'missing or wrong console token: use the console page' });
    else await route.handle(req, res, match);
    return true;
  }

  private events(req: IncomingMessage, res: ServerResponse): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    streamEvents(this.backend.events, res, query.get('replay') === '1');
  }

  private page(res: ServerResponse): void {
    const { service } = this.backend;
    const html = consolePage({
      token: this.token.value,
      script: entryScript(),
      title: `${service.name} (stage ${service.stage}, ${service.engine} engine)`,
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
    res.end(html);
  }

  private async asset(res: ServerResponse, path: string): Promise<void> {
    const asset = await readAsset(path);
    if (!asset) return json(res, 404, { message: `no console asset ${path}` });
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...SECURITY_HEADERS });
    res.end(asset);
  }

  private state(): unknown {
    const planes = this.backend.planes();
    return {
      service: this.backend.service,
      functions: this.backend.functions(),
      planes: planes ? { requests: planes.requests(), deployed: planes.deployed() } : undefined,
    };
  }

  private async input(res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const kept = this.backend.events.replayable(decodeURIComponent(match[1] ?? ''));
    if (!kept)
      return json(res, 404, {
        message:
          'that invocation is not kept for replay (AWS invocations, the last 200, 64 MB of events at most)',
      });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(kept.input);
  }

  private async replay(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const body = await readRequestBody(req, MAX_BODY_BYTES);
    if (body === undefined) return json(res, 413, { message: 'event too large (6 MB at most, as Lambda)' });
    try {
      JSON.parse(body.toString('utf8'));
    } catch (error) {
      return json(res, 400, { message: `the edited event is not JSON: ${(error as Error).message}` });
    }
    const done = await this.backend.replay(decodeURIComponent(match[1] ?? ''), body);
    if (!done) return json(res, 404, { message: 'that invocation is not kept for replay' });
    json(res, 200, done);
  }

  private async recycle(res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const name = decodeURIComponent(match[1] ?? '');
    if (!this.backend.recycle(name)) return json(res, 404, { message: `no function named ${name}` });
    json(res, 200, { recycled: name });
  }

  private async sample(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): Promise<void> {
    const body = await readRequestBody(req, MAX_BODY_BYTES);
    let kind: unknown;
    try {
      kind = (JSON.parse(body?.toString('utf8') ?? '') as { kind?: unknown }).kind;
    } catch {
      kind = undefined;
    }
    if (typeof kind !== 'string') return json(res, 400, { message: 'send {"kind": "<sample event>"}' });
    try {
      const outcome = await this.backend.fireSample(decodeURIComponent(match[1] ?? ''), kind);
      json(res, 200, outcome);
    } catch (error) {
      json(res, 400, { message: (error as Error).message });
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
