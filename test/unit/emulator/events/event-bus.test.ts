import { describe, expect, test } from 'vitest';
import { eventBase, type LogEvent } from '../../../../emulator/events/emulator-event';
import { EventBus } from '../../../../emulator/events/event-bus';

const log = (text: string): LogEvent => ({
  ...eventBase(),
  type: 'log',
  source: 'f',
  stream: 'stdout',
  text,
});

describe('EventBus', () => {
  test('an iterator gets the recent events (with replay), then new ones in order, and stops on abort', async () => {
    const bus = new EventBus();
    bus.emit(log('before'));
    const abort = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of bus.iterate({ signal: abort.signal, replay: true })) {
        if (event.type === 'log') seen.push(event.text);
        if (seen.length === 3) abort.abort();
      }
    })();
    bus.emit(log('one'));
    bus.emit(log('two'));
    await reading;
    expect(seen).toEqual(['before', 'one', 'two']);
  });

  test('a listener that throws is dropped; the others still hear every event', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    bus.subscribe(() => {
      throw new Error('broken reader');
    });
    bus.subscribe((event) => heard.push(event.type));
    bus.emit(log('a'));
    bus.emit(log('b'));
    expect(heard).toEqual(['log', 'log']);
  });

  test('an invocation’s input is kept for replay, but only the last 200', () => {
    const bus = new EventBus();
    for (let i = 0; i < 201; i++) {
      bus.emit(
        {
          ...eventBase(),
          type: 'invocation',
          requestId: `r${i}`,
          provider: 'aws',
          function: 'f',
          trigger: 'invoke',
          outcome: 'success',
          startTime: eventBase().time,
          durationMs: 1,
          cold: false,
          instanceId: 'i',
          logs: [],
          replayable: true,
        },
        { input: Buffer.from(`{"n":${i}}`) },
      );
    }
    expect(bus.replayable('r0')).toBeUndefined();
    expect(Buffer.from(bus.replayable('r200')?.input ?? []).toString()).toBe('{"n":200}');
  });
});
