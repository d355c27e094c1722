import type { EmulatorEvent, EventDetail, InvocationEvent } from './emulator-event';

type Listener = (event: EmulatorEvent) => void;

/** How many events a late subscriber (a console opened later) is shown first. */
const HISTORY = 1000;
/**
 * How many invocation inputs are kept for replay, and how many bytes of them in all: with the
 * count alone, events of up to 6 MB held up to 1.2 GB (220 invokes of 5 MB: the emulator +1.1 GB).
 */
const INPUTS = 200;
const INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Where the emulator's typed events meet their readers (NDJSON printer, SSE clients, the
 * testing API, the console): emitted synchronously, a recent history kept for late readers.
 * A listener that throws is dropped, not allowed to break an invocation.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly history: EmulatorEvent[] = [];
  private readonly inputs = new Map<string, { event: InvocationEvent; input: Uint8Array }>();
  private inputBytes = 0;

  emit(event: EmulatorEvent, detail?: EventDetail): void {
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    if (event.type === 'invocation' && detail?.input) this.keepInput(event, detail.input);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** Keeps an invocation's input for replay; the oldest go first past the count or the bytes. */
  private keepInput(event: InvocationEvent, input: Uint8Array): void {
    this.dropInput(event.requestId);
    this.inputs.set(event.requestId, { event, input });
    this.inputBytes += input.byteLength;
    while (this.inputs.size > INPUTS || this.inputBytes > INPUT_BYTES) {
      this.dropInput(this.inputs.keys().next().value as string);
    }
  }

  private dropInput(requestId: string): void {
    const kept = this.inputs.get(requestId);
    if (!kept) return;
    this.inputs.delete(requestId);
    this.inputBytes -= kept.input.byteLength;
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
