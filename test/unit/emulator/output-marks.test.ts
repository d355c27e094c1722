import { describe, expect, it } from 'vitest';
import { OUTPUT_MARK_PREFIX, OutputMarks } from '../../../emulator/providers/aws/output-marks';

describe('OutputMarks', () => {
  it('takes mark lines, not output, and ends the wait once both streams are marked', async () => {
    const marks = new OutputMarks();
    expect(marks.take('stdout', '2026-01-01T00:00:00.000Z\treq-1\tINFO\thello')).toBe(false);
    let waited = false;
    const waiting = marks.wait('req-1', 60_000).then(() => {
      waited = true;
    });
    expect(marks.take('stdout', `${OUTPUT_MARK_PREFIX}req-1`)).toBe(true);
    await Promise.resolve();
    expect(waited).toBe(false);
    expect(marks.take('stderr', `${OUTPUT_MARK_PREFIX}req-1`)).toBe(true);
    await waiting;
    expect(waited).toBe(true);
  });

  it('marks that arrive before the result need no wait; a lost stream ends the wait at the bound', async () => {
    const marks = new OutputMarks();
    marks.take('stdout', `${OUTPUT_MARK_PREFIX}req-2`);
    marks.take('stderr', `${OUTPUT_MARK_PREFIX}req-2`);
    await marks.wait('req-2', 60_000);
    marks.take('stdout', `${OUTPUT_MARK_PREFIX}req-3`);
    await expect(marks.wait('req-3', 10)).resolves.toBeUndefined();
  });
});
