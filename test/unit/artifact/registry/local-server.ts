import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface SeenRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface LocalServer {
  origin: string;
  host: string;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/** A stand-in HTTP server on 127.0.0.1 whose answers the test scripts, recording every request. */
export async function startLocalServer(
  handle: (
    request: SeenRequest,
    response: ServerResponse,
    server: { origin: string },
  ) => void | Promise<void>,
): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  const self = { origin: '' };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const seen = {
        method: req.method ?? 'GET',
        path: url.pathname,
        search: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(seen);
      Promise.resolve(handle(seen, res, self)).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  self.origin = `http://127.0.0.1:${port}`;
  return {
    origin: self.origin,
    host: `127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
