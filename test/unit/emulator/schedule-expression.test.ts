import { describe, expect, test } from 'vitest';
import { parseSchedule } from '../../../emulator/providers/aws/schedule-expression';

const at = (iso: string) => new Date(iso);

describe('EventBridge schedule expressions', () => {
  test.each([
    ['cron(0 12 * * ? *)', '2026-11-23T09:30:00Z', '2026-11-23T12:00:00.000Z'],
    ['cron(0 12 * * ? *)', '2026-11-23T12:00:00Z', '2026-11-24T12:00:00.000Z'],
    ['cron(15 10 ? * MON-FRI *)', '2026-11-21T00:00:00Z', '2026-11-23T10:15:00.000Z'], // Sat → Monday
    ['cron(0/15 * * * ? *)', '2026-11-23T09:31:10Z', '2026-11-23T09:45:00.000Z'],
    ['cron(0 8 1 * ? *)', '2026-11-23T09:00:00Z', '2026-12-01T08:00:00.000Z'],
    ['cron(0 0 L * ? *)', '2026-02-03T00:00:00Z', '2026-02-28T00:00:00.000Z'],
    ['cron(30 6 ? JAN,JUL 1 2027)', '2026-11-23T00:00:00Z', '2027-01-03T06:30:00.000Z'], // first Sunday of Jan 2027
  ])('%s after %s fires at %s', (expression, after, expected) => {
    expect(parseSchedule(expression, 'serverless.yml').next(at(after))?.toISOString()).toBe(expected);
  });

  test('a rate fires once per period', () => {
    const schedule = parseSchedule('rate(5 minutes)', 'serverless.yml');
    const now = new Date();
    const first = schedule.next(now);
    const second = first && schedule.next(first);
    expect(first && second && second.getTime() - first.getTime()).toBe(5 * 60_000);
    expect(first && first.getTime() - now.getTime()).toBeLessThanOrEqual(5 * 60_000);
  });

  test.each([
    ['rate(1 minutes)', /rate\(1 minute\)/],
    ['rate(5 minute)', /singular for 1, plural otherwise/],
    ['every 5 minutes', /neither rate\(\.\.\.\) nor cron/],
    ['cron(0 12 * * *)', /6 fields/],
    ['cron(0 12 1 * MON *)', /must be "\?"/],
    ['cron(0 25 * * ? *)', /out of range 0-23/],
    ['cron(0 12 ? * 6#3 *)', /W, L or #/],
  ])('refuses %s with a message saying why', (expression, message) => {
    expect(() => parseSchedule(expression, 'serverless.yml: functions.tick.events[0].schedule')).toThrow(
      message,
    );
  });
});
