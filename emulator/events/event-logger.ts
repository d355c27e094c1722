import type { EmulatorLogger } from '../logger';
import { eventBase } from './emulator-event';
import type { EventBus } from './event-bus';

/**
 * A logger that passes lines on to `next` (the terminal, memory) and puts every line and every
 * typed event on `bus`, so that the console and the streams see what the terminal sees.
 */
export function eventLogger(next: EmulatorLogger, bus: EventBus): EmulatorLogger {
  return {
    line(source, text, stream = 'stdout') {
      next.line(source, text, stream);
      bus.emit({ ...eventBase(), type: 'log', source, stream, text });
    },
    event(event, detail) {
      next.event?.(event, detail);
      bus.emit(event, detail);
    },
  };
}

/** Prints nothing: with `--log-format json`, everything reaches stdout as events instead. */
export const silentLogger: EmulatorLogger = { line() {} };

/** One event per line on `out`, the NDJSON of `--log-format json`. */
export function printNdjson(bus: EventBus, out: NodeJS.WritableStream = process.stdout): () => void {
  return bus.subscribe((event) => {
    out.write(`${JSON.stringify(event)}\n`);
  });
}
