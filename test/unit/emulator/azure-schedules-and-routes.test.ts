import { describe, expect, test } from 'vitest';
import { compileAzureRoute } from '../../../emulator/providers/azure/azure-route';
import { parseSchedule } from '../../../emulator/providers/azure/ncrontab';
import { matchBlobPath } from '../../../emulator/providers/azure/trigger-payloads';

const at = (iso: string) => new Date(iso);

describe('Azure NCRONTAB schedules (six fields, UTC)', () => {
  test('every five minutes, on the minute', () => {
    const schedule = parseSchedule('0 */5 * * * *');
    expect(schedule.next(at('2024-03-10T10:02:30Z')).toISOString()).toBe('2024-03-10T10:05:00.000Z');
    expect(schedule.next(at('2024-03-10T10:05:00Z')).toISOString()).toBe('2024-03-10T10:10:00.000Z');
  });

  test('seconds, ranges, lists, month and day names', () => {
    expect(parseSchedule('*/15 * * * * *').next(at('2024-01-01T00:00:14Z')).toISOString()).toBe(
      '2024-01-01T00:00:15.000Z',
    );
    expect(parseSchedule('0 30 9 * * Mon-Fri').next(at('2024-03-09T12:00:00Z')).toISOString()).toBe(
      '2024-03-11T09:30:00.000Z',
    );
    expect(parseSchedule('0 0 0 1 Jan,Jul *').next(at('2024-02-01T00:00:00Z')).toISOString()).toBe(
      '2024-07-01T00:00:00.000Z',
    );
    expect(parseSchedule('0 0 12 * * 0').next(at('2024-03-10T12:00:00Z')).toISOString()).toBe(
      '2024-03-17T12:00:00.000Z',
    );
    expect(parseSchedule('0 0 12 * * 7').next(at('2024-03-10T11:00:00Z')).toISOString()).toBe(
      '2024-03-10T12:00:00.000Z',
    );
  });

  test('a TimeSpan is an interval', () => {
    expect(parseSchedule('00:00:30').next(at('2024-01-01T00:00:10Z')).toISOString()).toBe(
      '2024-01-01T00:00:40.000Z',
    );
  });

  test('five fields, out-of-range values and bad steps are refused with the reason', () => {
    expect(() => parseSchedule('*/5 * * * *')).toThrow(/has 5 fields; Azure NCRONTAB needs 6/);
    expect(() => parseSchedule('0 61 * * * *')).toThrow(/minute field "61" has "61" outside 0-59/);
    expect(() => parseSchedule('0 */0 * * * *')).toThrow(/invalid step/);
    expect(() => parseSchedule('0 0 0 31 2 *')).toThrow(/never fires/);
  });
});

describe('Azure HTTP route templates', () => {
  test('parameters, optional parameters and catch-all', () => {
    expect(compileAzureRoute('api/items/{id}').match('/api/items/42')).toEqual({ id: '42' });
    expect(compileAzureRoute('api/items/{id}').match('/api/items')).toBeUndefined();
    expect(compileAzureRoute('api/items/{id?}').match('/api/items')).toEqual({});
    expect(compileAzureRoute('api/files/{*rest}').match('/api/files/a/b%20c.txt')).toEqual({
      rest: 'a/b c.txt',
    });
    expect(compileAzureRoute('api/files/{*rest}').match('/api/files')).toEqual({});
    expect(compileAzureRoute('API/Items').match('/api/items/')).toEqual({});
  });

  test('constraints', () => {
    const typed = compileAzureRoute('api/typed/{n:int}');
    expect(typed.match('/api/typed/12')).toEqual({ n: '12' });
    expect(typed.match('/api/typed/x')).toBeUndefined();
    expect(compileAzureRoute('api/{name:alpha}').match('/api/abc1')).toBeUndefined();
  });

  test('literals are more specific than parameters, catch-all least', () => {
    const literal = compileAzureRoute('api/items/new').specificity;
    const param = compileAzureRoute('api/items/{id}').specificity;
    const rest = compileAzureRoute('api/items/{*rest}').specificity;
    expect(literal).toBeGreaterThan(param);
    expect(param).toBeGreaterThan(rest);
  });
});

describe('Azure blob trigger paths', () => {
  test('container and name parameters', () => {
    expect(matchBlobPath('uploads/{name}', 'uploads', 'a/b.txt')).toEqual({ name: 'a/b.txt' });
    expect(matchBlobPath('uploads/{name}.{ext}', 'uploads', 'report.pdf')).toEqual({
      name: 'report',
      ext: 'pdf',
    });
    expect(matchBlobPath('uploads/{name}', 'other', 'a.txt')).toBeUndefined();
    expect(matchBlobPath('uploads/in-{name}', 'uploads', 'out-a.txt')).toBeUndefined();
  });
});
