import type { EmulatorEvent, EventDetail, InvocationEvent } from './emulator-event';

type Listener = (event: EmulatorEvent) => void;

/** How many events a late subscriber (a console opened later) is shown first. */
const HISTORY = 1000;
/** How many invocation inputs are kept for replay. */
const INPUTS = 200;

/**
 * Where the emulator's typed events meet their readers (NDJSON printer, SSE clients, the
 * testing API, the console): emitted synchronously, a recent history kept for late readers.
 * A listener that throws is dropped, not allowed to break an invocation.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly history: EmulatorEvent[] = [];
  private readonly inputs = new Map<string, { event: InvocationEvent; input: Uint8Array }>();

  emit(event: EmulatorEvent, detail?: EventDetail): void {
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    if (event.type === 'invocation' && detail?.input) {
      this.inputs.set(event.requestId, { event, input: detail.input });
      if (this.inputs.size > INPUTS) this.inputs.delete(this.inputs.keys().next().value as string);
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** Calls `listener` for every event from now on; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The recent events, oldest first. */
  recent(): EmulatorEvent[] {
    return [...this.history];
  }

  /** An invocation kept for replay, with the event it was given. */
  replayable(requestId: string): { event: InvocationEvent; input: Uint8Array } | undefined {
    return this.inputs.get(requestId);
  }

  /**
   * Every event from now on (with `replay`, the recent ones first), until `signal` aborts or the
   * loop breaks. Events are buffered between reads, so a slow reader misses none.
   */
  async *iterate(options: { signal?: AbortSignal; replay?: boolean } = {}): AsyncGenerator<EmulatorEvent> {
    const queued: EmulatorEvent[] = options.replay ? this.recent() : [];
    let wake: (() => void) | undefined;
    const unsubscribe = this.subscribe((event) => {
      queued.push(event);
      wake?.();
    });
    const onAbort = () => wake?.();
    options.signal?.addEventListener('abort', onAbort);
    try {
      while (!options.signal?.aborted) {
        const next = queued.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }
}
