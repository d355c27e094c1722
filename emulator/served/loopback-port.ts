import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that the kernel just handed out, for an instance to listen on. Another
 * process could take it before the instance binds it; the instance then fails to start, which the
 * pool reports as a failed cold start rather than serving someone else's port.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no loopback port assigned'))));
    });
  });
}
