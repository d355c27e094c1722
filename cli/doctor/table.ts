import type { CheckStatus, DoctorReport } from './check';

const COLOURS: Record<CheckStatus, string> = { ok: '\u001b[32m', warn: '\u001b[33m', missing: '\u001b[31m' };
const RESET = '\u001b[0m';

const LABELS: Record<CheckStatus, string> = { ok: 'ok', warn: 'warn', missing: 'MISSING' };

/**
 * An aligned table for a terminal, then one summary line. Colour only when asked (a TTY without
 * NO_COLOR); padding is computed on the plain text so colours do not break alignment.
 */
export function formatTable(doctor: DoctorReport, colour: boolean): string {
  const header = ['CHECK', 'STATUS', 'REQUIRED', 'DETAIL'];
  const rows = doctor.checks.map((check) => [
    check.name,
    LABELS[check.status],
    check.required ? 'yes' : 'no',
    check.detail,
  ]);
  const widths = [0, 1, 2].map((column) =>
    Math.max(...[header, ...rows].map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[], status?: CheckStatus) =>
    cells
      .map((cell, column) => {
        const padded = column < 3 ? cell.padEnd(widths[column] ?? 0) : cell;
        return column === 1 && status && colour ? `${COLOURS[status]}${padded}${RESET}` : padded;
      })
      .join('  ')
      .trimEnd();
  const failed = doctor.checks.filter((check) => check.required && check.status !== 'ok');
  const summary = doctor.ok
    ? 'All required checks passed.'
    : `${failed.length} required check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}.`;
  return [
    line(header),
    ...rows.map((row, index) => line(row, doctor.checks[index]?.status)),
    '',
    summary,
    '',
  ].join('\n');
}
