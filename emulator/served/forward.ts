import { type Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { GatewayResponse } from '../gateway/gateway-response';

/** Headers that describe one hop, not the message: never passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

export interface ForwardedRequest {
  method: string;
  /** Path and query, as the instance should see them. */
  path: string;
  headers: [name: string, value: string][];
  body: Buffer;
}

/** The largest response body the cloud's front end passes on, and what it answers instead. */
export interface ResponseLimit {
  bytes: number;
  tooLarge(): GatewayResponse;
}

/**
 * Sends one request to an instance on 127.0.0.1 and reads the whole response: status, every
 * header in order (repeats kept), body bytes untouched. Rejects when the connection fails or
 * `signal` aborts. A body over `limit` is not read further: the connection is dropped and the
 * limit's answer given.
 */
export function forward(
  port: number,
  message: ForwardedRequest,
  options: { agent?: Agent; signal?: AbortSignal; limit?: ResponseLimit } = {},
): Promise<GatewayResponse> {
  return new Promise((resolve, reject) => {
    const headers: [string, string][] = message.headers.filter(
      ([name]) => !HOP_BY_HOP.has(name.toLowerCase()),
    );
    // With headers given as a list Node adds no Host, and an HTTP/1.1 server refuses a request without one.
    if (!headers.some(([name]) => name.toLowerCase() === 'host')) headers.push(['host', `127.0.0.1:${port}`]);
    if (message.body.length > 0 || !['GET', 'HEAD'].includes(message.method))
      headers.push(['content-length', String(message.body.length)]);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: message.method,
        path: message.path,
        headers: headers.flat(),
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (options.limit && size > options.limit.bytes) {
            res.destroy();
            resolve(options.limit.tooLarge());
            return;
          }
          chunks.push(chunk);
        });
        res.once('end', () => {
          const out: [string, string][] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i] ?? '';
            if (!HOP_BY_HOP.has(name.toLowerCase())) out.push([name, res.rawHeaders[i + 1] ?? '']);
          }
          resolve({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
        });
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(message.body);
  });
}

/** Resolves once anything answers an HTTP request on the port (any status), false when refused. */
export function answers(port: number, path = '/'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path, timeout: 1000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(true));
      res.once('error', () => resolve(true));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/**
 * Whether something accepts TCP connections on the port (Cloud Run's default startup probe).
 * With `holdMs`, the connection must also stay open that long: a port Docker publishes is
 * accepted by its proxy before the instance listens, and the proxy then drops the connection.
 */
export function accepts(port: number, holdMs = 0): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let timer: NodeJS.Timeout | undefined;
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => {
      if (holdMs <= 0) return settle(true);
      timer = setTimeout(() => settle(true), holdMs);
      socket.once('end', () => settle(false));
      socket.once('close', () => settle(false));
    });
    socket.once('error', () => settle(false));
  });
}
