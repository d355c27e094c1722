import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { MemoryLogger } from '../../../../emulator/logger';
import { AzureTimers } from '../../../../emulator/providers/azure/azure-timers';
import { plain, recordingTrigger } from './host-values';

const NEVER = '0001-01-01T00:00:00+00:00';

describe('timer trigger payloads as the Functions host sends them', () => {
  let timers: AzureTimers;
  beforeEach(() => {
    vi.useFakeTimers({
      now: new Date('2024-03-10T10:00:30.250Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
    timers = new AzureTimers(new MemoryLogger());
  });
  afterEach(() => {
    timers.stop();
    vi.useRealTimers();
  });

  const timerOf = (input: { data: Parameters<typeof plain>[0] }[]) => plain(input[0]?.data);
  const fired = (invocations: { inputData: { data: Parameters<typeof plain>[0] }[] }[]) =>
    invocations.map((i) => timerOf(i.inputData));

  test('each firing: Last is the previous firing, Next the occurrence that fired, LastUpdated with Last', async () => {
    const { target, invocations } = recordingTrigger({ schedule: '0 * * * * *' });
    timers.add(target);
    timers.start();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(invocations).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000 + 60_000 * 2);
    expect(fired(invocations)).toEqual([
      {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: { Last: NEVER, Next: '2024-03-10T10:01:00+00:00', LastUpdated: NEVER },
        IsPastDue: false,
      },
      {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: {
          Last: '2024-03-10T10:01:00+00:00',
          Next: '2024-03-10T10:02:00+00:00',
          LastUpdated: '2024-03-10T10:01:00+00:00',
        },
        IsPastDue: false,
      },
      {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: {
          Last: '2024-03-10T10:02:00+00:00',
          Next: '2024-03-10T10:03:00+00:00',
          LastUpdated: '2024-03-10T10:02:00+00:00',
        },
        IsPastDue: false,
      },
    ]);
  });

  test('runOnStartup: the start-up run, then the schedule with the start-up run as Last', async () => {
    const { target, invocations } = recordingTrigger({ schedule: '0 0 * * * *', runOnStartup: true });
    timers.add(target);
    timers.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(fired(invocations)).toEqual([
      {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: { Last: NEVER, Next: '2024-03-10T11:00:00+00:00', LastUpdated: NEVER },
        IsPastDue: false,
      },
    ]);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(fired(invocations)[1]).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: '2024-03-10T10:00:30+00:00',
        Next: '2024-03-10T11:00:00+00:00',
        LastUpdated: '2024-03-10T10:00:30+00:00',
      },
      IsPastDue: false,
    });
  });

  test('no schedule monitor (more than once a minute, or useMonitor false): ScheduleStatus is null', async () => {
    const everyTen = recordingTrigger({ schedule: '*/10 * * * * *' });
    const span = recordingTrigger({ schedule: '00:00:20' });
    const off = recordingTrigger({ schedule: '0 * * * * *', useMonitor: false });
    const on = recordingTrigger({ schedule: '*/10 * * * * *', useMonitor: true });
    for (const t of [everyTen, span, off, on]) timers.add(t.target);
    timers.start();
    await vi.advanceTimersByTimeAsync(60_000);
    for (const t of [everyTen, span, off]) {
      expect(t.invocations.length).toBeGreaterThan(0);
      for (const timer of fired(t.invocations))
        expect(timer).toEqual({ Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false });
    }
    const statuses = fired(on.invocations).map(
      (t) => (t as { ScheduleStatus: { Next: string } }).ScheduleStatus.Next,
    );
    expect(statuses.slice(0, 3)).toEqual([
      '2024-03-10T10:00:40+00:00',
      '2024-03-10T10:00:50+00:00',
      '2024-03-10T10:01:00+00:00',
    ]);
  });

  test('the trigger metadata of a timer is empty (the worker reads the timer from the data)', async () => {
    const { target, invocations } = recordingTrigger({ schedule: '0 * * * * *' });
    timers.add(target);
    timers.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(invocations[0]?.triggerMetadata).toEqual({});
  });
});
