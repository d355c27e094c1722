import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../../../../emulator/engines/line-splitter';
import { cutLineNote, instanceOutputLines, logLineLimit } from '../../../../emulator/engines/log-line-limit';
import { OUTPUT_MARK_PREFIX } from '../../../../emulator/providers/aws/output-marks';

function collect(options?: Parameters<typeof lineSplitter>[1]) {
  const lines: string[] = [];
  const cuts: number[] = [];
  const splitter = lineSplitter((line) => lines.push(line), {
    ...options,
    onCut: (dropped) => cuts.push(dropped),
  });
  return { lines, cuts, splitter };
}

describe('lineSplitter', () => {
  it('splits lines across chunks and flushes the last partial line at the end', () => {
    const { lines, splitter } = collect();
    for (const chunk of ['one\ntw', 'o\n', '', 'thr', 'ee\nfour']) splitter.write(Buffer.from(chunk));
    splitter.end();
    expect(lines).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps a multi-byte character split between chunks whole', () => {
    const { lines, splitter } = collect();
    const text = Buffer.from('café ☕\n');
    splitter.write(text.subarray(0, 4));
    splitter.write(text.subarray(4, 8));
    splitter.write(text.subarray(8));
    expect(lines).toEqual(['café ☕']);
  });

  it('cuts a 64 MB line without a newline to the limit, says how much it dropped, and goes on', () => {
    const { lines, cuts, splitter } = collect({ maxLineBytes: 1024 });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 1024; i += 1) splitter.write(chunk);
    splitter.write(Buffer.from('tail\nnext line\n'));
    expect(lines.map((line) => line.length)).toEqual([1024, 'next line'.length]);
    expect(cuts).toEqual([64 * 1024 * 1024 + 4 - 1024]);
  });

  it('a cut line ending at the stream end is flushed and reported too', () => {
    const { lines, cuts, splitter } = collect({ maxLineBytes: 3 });
    splitter.write(Buffer.from('abcdef'));
    splitter.end();
    expect(lines).toEqual(['abc']);
    expect(cuts).toEqual([3]);
  });

  it('never cuts inside a multi-byte character', () => {
    const { lines, splitter } = collect({ maxLineBytes: 5 });
    splitter.write(Buffer.from('ab☕cd\n')); // ☕ is 3 bytes: 2 + 3 = 5 fits, the limit lands after it
    splitter.write(Buffer.from('abc☕d\n')); // the limit lands inside ☕: it is left out
    expect(lines).toEqual(['ab☕', 'abc']);
  });
});

describe('instance output lines', () => {
  it("pass on a runtime's end mark that ended a cut line, after the note", () => {
    const lines: string[] = [];
    const output = instanceOutputLines(
      { provider: 'azure', onOutput: (_stream, line) => lines.push(line) },
      'stdout',
    );
    output.write(Buffer.alloc(100 * 1024, 'x'));
    output.write(Buffer.from(`${OUTPUT_MARK_PREFIX}req-1\nnext\n`));
    expect(lines.map((line) => line.slice(0, 80))).toEqual([
      'x'.repeat(80),
      expect.stringMatching(/^faasport: the line above was cut to 32 KB/),
      `${OUTPUT_MARK_PREFIX}req-1`,
      'next',
    ]);
    expect(lines[0]).toHaveLength(32 * 1024);
  });
});

describe('log line limits', () => {
  it('follow each cloud log service', () => {
    expect(logLineLimit('aws').bytes).toBe(256 * 1024);
    expect(logLineLimit('gcp').bytes).toBe(256 * 1024);
    expect(logLineLimit('azure').bytes).toBe(32 * 1024);
    expect(cutLineNote('aws', 10)).toBe(
      'faasport: the line above was cut to 256 KB (10 bytes dropped): CloudWatch Logs keeps at most 256 KB per event',
    );
  });
});
