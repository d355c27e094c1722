import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DeliverySink {
  /** Where a consumer POSTs `{"id": "…"}`, once per delivery. */
  url: string;
  /** Deliveries per message id. */
  deliveries: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * An HTTP endpoint on 127.0.0.1 that counts deliveries per message id (answers 204): the fault
 * suite's consumer function records each message it got here, so loss and duplicates can be counted
 * from outside the emulator (instances on the docker engine share the host network).
 */
export async function startDeliverySink(): Promise<DeliverySink> {
  const deliveries = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown };
        if (typeof id !== 'string') throw new Error('no id');
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/deliveries`,
    deliveries,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
