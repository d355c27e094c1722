import type { IncomingMessage, ServerResponse } from 'node:http';

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body up to `limit` bytes; undefined when it is larger (the rest is drained).
 * Event listeners rather than an async iterator: this sits on every request's path.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once('end', () => {
      if (size > limit) resolve(undefined);
      else
        resolve(
          chunks.length === 1
            ? (chunks[0] as Buffer)
            : chunks.length === 0
              ? EMPTY
              : Buffer.concat(chunks, size),
        );
    });
    req.once('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(bytes.length),
    ...headers,
  });
  res.end(bytes);
}
