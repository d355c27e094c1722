import { request } from 'node:http';
import type { FakeInstance } from './fake-engine';

/** One exchange with the Runtime API on loopback; rejects when the connection fails. */
function call(
  api: string,
  method: 'GET' | 'POST',
  path: string,
  body?: Buffer,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), method, path: `/2018-06-01/runtime/${path}`, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * Plays a Lambda runtime inside a FakeInstance: asks for work and answers each event.
 * `{ hang: true }` is never answered, `{ crash: n }` makes the instance exit with n, anything
 * else is echoed back.
 */
export function lambdaRuntimeClient(instance: FakeInstance): void {
  const api = instance.spec.env.AWS_LAMBDA_RUNTIME_API ?? '';
  void (async () => {
    while (instance.running) {
      const next = await call(api, 'GET', 'invocation/next').catch(() => undefined);
      if (!next || !instance.running) return;
      const requestId = String(next.headers['lambda-runtime-aws-request-id']);
      const event = JSON.parse(next.body.toString() || '{}') as { hang?: boolean; crash?: number };
      if (event.hang) return;
      if (event.crash !== undefined) return instance.crash(event.crash);
      await call(api, 'POST', `invocation/${requestId}/response`, next.body).catch(() => undefined);
    }
  })();
}
