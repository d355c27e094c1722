import type { ServerResponse } from 'node:http';
import type { EventBus } from '../events/event-bus';

/** A comment line this often keeps proxies and idle timeouts from closing the stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /__faasport/events`: the bus as Server-Sent Events, one `data:` line of JSON per event
 * (the NDJSON schema), until the client goes. With `replay`, the recent events come first.
 */
export function streamEvents(bus: EventBus, res: ServerResponse, replay: boolean): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  res.write('retry: 1000\n\n');
  let id = 0;
  const send = (event: unknown) => {
    id += 1;
    res.write(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  if (replay) for (const event of bus.recent()) send(event);
  const unsubscribe = bus.subscribe(send);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  keepAlive.unref();
  res.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}
