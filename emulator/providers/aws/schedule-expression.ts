import { UserError } from '../../../common/errors';

/**
 * EventBridge schedule expressions: `rate(5 minutes)` and `cron(min hour day-of-month month
 * day-of-week year)`, in UTC. Supported cron syntax: numbers, names (JAN, MON), `*`, `?`, ranges,
 * lists, `/` steps and `L` (last day of the month); `W`, `#` and `L` in day-of-week are refused
 * with a clear error rather than silently fired at the wrong time.
 */
export interface Schedule {
  expression: string;
  /** The first firing strictly after `after`, or undefined if there is none within five years. */
  next(after: Date): Date | undefined;
}

const UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function parseSchedule(expression: string, where: string): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (rate) {
    const amount = Number(rate[1]);
    const unit = rate[2] ?? 'minutes';
    if (amount < 1 || (amount === 1) !== !unit.endsWith('s')) {
      throw new UserError(
        `${where}: "${expression}" is not a valid rate: write rate(1 minute) or rate(5 minutes), singular for 1, plural otherwise`,
      );
    }
    const period = amount * (UNITS[unit] ?? 60_000);
    const origin = Date.now();
    return {
      expression,
      next: (after) => new Date(origin + (Math.floor((after.getTime() - origin) / period) + 1) * period),
    };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) {
    throw new UserError(`${where}: "${expression}" is neither rate(...) nor cron(...)`, {
      hint: 'See EventBridge schedule expressions.',
    });
  }
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new UserError(
      `${where}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?') {
    throw new UserError(`${where}: in "${expression}" one of day-of-month and day-of-week must be "?"`);
  }
  const matchMinute = field(min, 0, 59, [], where);
  const matchHour = field(hour, 0, 23, [], where);
  const lastDay = dom === 'L';
  const matchDom = lastDay ? () => true : field(dom, 1, 31, [], where);
  const matchMonth = field(month, 1, 12, MONTHS, where);
  const matchDow = field(dow, 1, 7, DAYS, where);
  const matchYear = field(year, 1970, 2199, [], where);
  return {
    expression,
    next(after) {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      const limit = after.getTime() + 5 * 366 * 86_400_000;
      while (t.getTime() < limit) {
        const monthDays = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
        const dayOk =
          (lastDay ? t.getUTCDate() === monthDays : matchDom(t.getUTCDate())) &&
          matchDow(t.getUTCDay() + 1) &&
          matchMonth(t.getUTCMonth() + 1) &&
          matchYear(t.getUTCFullYear());
        if (!dayOk) {
          t.setUTCDate(t.getUTCDate() + 1);
          t.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!matchHour(t.getUTCHours())) {
          t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (matchMinute(t.getUTCMinutes())) return new Date(t.getTime());
        t.setUTCMinutes(t.getUTCMinutes() + 1);
      }
      return undefined;
    },
  };
}

function field(
  spec: string,
  min: number,
  max: number,
  names: string[],
  where: string,
): (value: number) => boolean {
  if (spec === '*' || spec === '?') return () => true;
  if (spec.split(',').some((part) => part.includes('#') || /^\d*[LW]$/i.test(part))) {
    throw new UserError(
      `${where}: cron field "${spec}" uses W, L or # which the emulator does not schedule`,
      {
        hint: 'Use explicit days, or invoke the function by hand with faasport emulate invoke --event schedule.',
      },
    );
  }
  const allowed = new Set<number>();
  for (const part of spec.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [from, to] = range === '*' ? [min, max] : range.split('-').map((v) => value(v, names, min, where));
    if (from === undefined) throw new UserError(`${where}: cron field "${spec}" is empty`);
    if (to === undefined) to = stepText === undefined ? from : max;
    if (!Number.isInteger(step) || step < 1 || from < min || to > max || from > to) {
      throw new UserError(`${where}: cron field "${spec}" is out of range ${min}-${max}`);
    }
    for (let v = from; v <= to; v += step) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

function value(text: string, names: string[], min: number, where: string): number {
  const index = names.indexOf(text.toUpperCase());
  if (index >= 0) return index + min;
  const number = Number(text);
  if (!Number.isInteger(number))
    throw new UserError(`${where}: "${text}" is not a number or a name in a cron field`);
  return number;
}
