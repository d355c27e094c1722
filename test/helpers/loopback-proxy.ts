import { createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from 'node:http';
import { type Readable, Transform } from 'node:stream';

export interface ProxiedRequest {
  method: string;
  path: string;
  search: string;
  /** The client's Range header, when it sent one. */
  range?: string;
}

/** What the proxy does with one request. */
export type ProxyAction =
  | {
      kind: 'forward';
      flipByteAt?: number;
      dropHeaders?: readonly string[];
      resetAfterUpstream?: boolean;
      /** Pass this many bytes of the body, then drop the connection (a reset mid-body). */
      cutAfter?: number;
      /** Pass this many bytes of the body without a Content-Length, then end cleanly (a truncated body). */
      endAfter?: number;
      /** Request headers not passed to the registry (e.g. `range`, so it answers 200). */
      dropRequestHeaders?: readonly string[];
    }
  | { kind: 'respond'; status: number; headers?: Record<string, string> }
  /** Drop the connection without an answer (the client sees a reset / hang-up). */
  | { kind: 'reset' };

export interface ProxyLogEntry extends ProxiedRequest {
  action: ProxyAction['kind'];
  /** Whether the client sent an Authorization header (never its value). */
  authorized: boolean;
  /** Status the real registry answered, when the request reached it. */
  upstreamStatus?: number;
}

export interface LoopbackProxy {
  host: string;
  log: ProxyLogEntry[];
  stop(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a real registry that can corrupt bodies, drop
 * headers, answer in the registry's place or cut connections — per request, as `decide` says.
 * The Host header is passed through, so the registry's upload Locations point at the proxy.
 */
export async function startProxy(
  upstream: string,
  decide: (request: ProxiedRequest) => ProxyAction,
): Promise<LoopbackProxy> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const log: ProxyLogEntry[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const seen: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      search: url.search,
      ...(typeof req.headers.range === 'string' ? { range: req.headers.range } : {}),
    };
    const action = decide(seen);
    const entry: ProxyLogEntry = {
      ...seen,
      action: action.kind,
      authorized: req.headers.authorization !== undefined,
    };
    log.push(entry);
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.kind === 'respond') {
      req.resume();
      res.writeHead(action.status, { 'content-length': '0', ...action.headers }).end();
      return;
    }
    const forwarded: IncomingHttpHeaders = { ...req.headers };
    for (const name of action.dropRequestHeaders ?? []) delete forwarded[name];
    const outgoing = request(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: req.method,
        path: req.url,
        headers: forwarded,
      },
      (upstreamResponse) => {
        entry.upstreamStatus = upstreamResponse.statusCode;
        if (action.resetAfterUpstream) {
          // the registry finished the request; the client never learns it
          upstreamResponse.resume();
          upstreamResponse.on('end', () => req.socket.destroy());
          return;
        }
        const headers: IncomingHttpHeaders = { ...upstreamResponse.headers };
        for (const name of action.dropHeaders ?? []) delete headers[name];
        if (action.endAfter !== undefined) delete headers['content-length'];
        res.writeHead(upstreamResponse.statusCode ?? 502, headers);
        const limit = action.cutAfter ?? action.endAfter;
        const body =
          action.flipByteAt === undefined
            ? upstreamResponse
            : upstreamResponse.pipe(flipByte(action.flipByteAt));
        if (limit === undefined) body.pipe(res);
        else
          passFirst(body, res, limit, () => {
            if (action.cutAfter !== undefined) req.socket.destroy();
            else res.end();
          });
      },
    );
    outgoing.on('error', () => req.socket.destroy());
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    log,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes the first `limit` bytes of `body` to `res`, then calls `then` (and reads no further). */
function passFirst(body: Readable, res: ServerResponse, limit: number, then: () => void): void {
  let sent = 0;
  let done = false;
  body.on('data', (chunk: Buffer) => {
    if (done) return;
    const part = chunk.subarray(0, Math.max(0, limit - sent));
    sent += part.length;
    if (sent < limit) {
      res.write(part);
      return;
    }
    done = true;
    body.destroy();
    // cut only once the bytes passed so far have left (an empty write would not wait for them)
    if (part.length > 0) res.write(part, () => then());
    else then();
  });
  // a body shorter than the limit passes whole
  body.on('end', () => {
    if (!done) res.end();
  });
}

/** Inverts the bits of the byte at `offset` of the stream. */
function flipByte(offset: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (offset >= seen && offset < seen + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[offset - seen] = (copy[offset - seen] ?? 0) ^ 0xff;
        chunk = copy;
      }
      seen += chunk.length;
      callback(null, chunk);
    },
  });
}
