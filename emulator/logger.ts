import type { EmulatorEvent, EventDetail } from './events/emulator-event';

/**
 * Where the emulator's output goes: each line is attributed to a function (or the emulator);
 * typed events (invocations, reloads, instances) go to `event` when the logger takes them.
 */
export interface EmulatorLogger {
  line(source: string, text: string, stream?: 'stdout' | 'stderr'): void;
  event?(event: EmulatorEvent, detail?: EventDetail): void;
}

export const consoleLogger: EmulatorLogger = {
  line(source, text, stream = 'stdout') {
    (stream === 'stderr' ? process.stderr : process.stdout).write(`[${source}] ${text}\n`);
  },
};

/** Collects lines in memory (tests, the testing API); optionally passes them on. */
export class MemoryLogger implements EmulatorLogger {
  readonly lines: { source: string; text: string; stream: 'stdout' | 'stderr' }[] = [];
  constructor(private readonly next?: EmulatorLogger) {}
  line(source: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.lines.push({ source, text, stream });
    this.next?.line(source, text, stream);
  }
}
