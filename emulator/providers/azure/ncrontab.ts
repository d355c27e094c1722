/**
 * Azure timer schedules: six-field NCRONTAB `{second} {minute} {hour} {day} {month} {day-of-week}`
 * in UTC (`*`, `a-b`, `a,b`, `*\/n`, `a-b/n`, month and day names), or a TimeSpan `hh:mm:ss`
 * (an interval, as App Service plans allow). Invalid schedules are refused before anything runs.
 */
export interface Schedule {
  expression: string;
  /** The first fire time strictly after `from`. */
  next(from: Date): Date;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: { name: string; min: number; max: number; names?: string[]; nameBase?: number }[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS, nameBase: 0 },
];

export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  if (span) {
    const [, days, hours, minutes, seconds] = span;
    const ms =
      ((Number(days ?? 0) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
    if (ms <= 0) throw new Error(`"${expression}": a TimeSpan schedule must be longer than zero`);
    return { expression: text, next: (from) => new Date(from.getTime() + ms) };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 6) {
    throw new Error(
      `"${expression}" has ${parts.length} fields; Azure NCRONTAB needs 6: {second} {minute} {hour} {day} {month} {day-of-week}`,
    );
  }
  const sets = parts.map((part, index) =>
    parseField(part, FIELDS[index] as (typeof FIELDS)[number], expression),
  );
  const [seconds, minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  const dayStar = parts[3] === '*' || parts[3] === '?';
  const weekStar = parts[5] === '*' || parts[5] === '?';
  const longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (weekStar && ![...months].some((m) => [...days].some((d) => d <= (longest[m - 1] ?? 31)))) {
    throw new Error(`"${expression}" never fires: no month in it has that day`);
  }
  const dayMatches = (d: Date) => {
    // As cron: when both day fields are restricted, either may match.
    const byDay = days.has(d.getUTCDate());
    const byWeek = weekdays.has(d.getUTCDay());
    if (dayStar && weekStar) return true;
    if (dayStar) return byWeek;
    if (weekStar) return byDay;
    return byDay || byWeek;
  };
  return {
    expression: text,
    next(from) {
      const t = new Date(Math.floor(from.getTime() / 1000) * 1000 + 1000);
      // Walk minute by minute (at most ~5 years), then pick the second within the minute.
      for (let steps = 0; steps < 5 * 366 * 24 * 60; steps++) {
        if (
          months.has(t.getUTCMonth() + 1) &&
          dayMatches(t) &&
          hours.has(t.getUTCHours()) &&
          minutes.has(t.getUTCMinutes())
        ) {
          for (let s = t.getUTCSeconds(); s < 60; s++) {
            if (seconds.has(s)) {
              t.setUTCSeconds(s);
              return t;
            }
          }
        }
        t.setUTCSeconds(0);
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      throw new Error(`"${expression}" never fires`);
    },
  };
}

function parseField(part: string, field: (typeof FIELDS)[number], expression: string): Set<number> {
  const values = new Set<number>();
  const bad = (why: string) => new Error(`"${expression}": ${field.name} field "${part}" ${why}`);
  const value = (text: string): number => {
    const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
    const n = index >= 0 ? index + (field.nameBase ?? 0) : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    // Day-of-week 7 is Sunday too.
    const normalised = field.name === 'day-of-week' && n === 7 ? 0 : n;
    if (!Number.isInteger(normalised) || normalised < field.min || normalised > field.max)
      throw bad(`has "${text}" outside ${field.min}-${field.max}`);
    return normalised;
  };
  for (const item of part.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad('has an invalid step');
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = field.min;
      high = field.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      low = value(a);
      high = value(b);
      if (high < low) throw bad('has a range that ends before it starts');
    } else {
      low = value(range);
      high = stepText === undefined ? low : field.max;
    }
    for (let n = low; n <= high; n += step) values.add(n);
  }
  return values;
}
