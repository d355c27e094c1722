import { describe, expect, test } from 'vitest';
import { eventBase, type InvocationEvent, type LogEvent } from '../../../../emulator/events/emulator-event';
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

  const invoked = (requestId: string): InvocationEvent => ({
    ...eventBase(),
    type: 'invocation',
    requestId,
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
  });

  test('an invocation’s input is kept for replay, but only the last 200', () => {
    const bus = new EventBus();
    for (let i = 0; i < 201; i++) bus.emit(invoked(`r${i}`), { input: Buffer.from(`{"n":${i}}`) });
    expect(bus.replayable('r0')).toBeUndefined();
    expect(Buffer.from(bus.replayable('r200')?.input ?? []).toString()).toBe('{"n":200}');
  });

  test('… and no more than 64 MB of them: large events do not pile up', () => {
    const bus = new EventBus();
    const sixMb = Buffer.alloc(6 * 2 ** 20);
    for (let i = 0; i < 30; i++) bus.emit(invoked(`big${i}`), { input: sixMb });
    const kept = Array.from({ length: 30 }, (_, i) => bus.replayable(`big${i}`)).filter(Boolean);
    expect(kept).toHaveLength(10); // 10 × 6 MB ≤ 64 MB < 11 × 6 MB
    expect(bus.replayable('big29')).toBeDefined();
    expect(bus.replayable('big19')).toBeUndefined();
    // small ones are kept beside them as before
    bus.emit(invoked('small'), { input: Buffer.from('{}') });
    expect(bus.replayable('small')).toBeDefined();
    expect(bus.replayable('big29')).toBeDefined();
  });
});
