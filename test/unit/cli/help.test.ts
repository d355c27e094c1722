import type { ParseArgsOptionsConfig } from 'node:util';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { type CommandHelp, commands, main } from '../../../cli/main';

/** `-x, --name …` or `--name …` at the start of a help line (after the indent). */
function optionLine(help: string, name: string, short: string | undefined): string | undefined {
  const flag = short ? `-${short}, --${name}` : `--${name}`;
  return help.split('\n').find((line) => new RegExp(`^\\s+${flag.replace(/[-]/g, '\\-')}(\\s|$)`).test(line));
}

function missingLines({ help, options }: CommandHelp): string[] {
  return Object.entries(options as ParseArgsOptionsConfig)
    .filter(([name, option]) => optionLine(help, name, option.short) === undefined)
    .map(([name, option]) => (option.short ? `-${option.short}, --${name}` : `--${name}`));
}

async function helpOutput(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('faasport <command> --help lists every option the command parses, one line each', () => {
  for (const name of Object.keys(commands)) {
    test(name, async () => {
      const command = await commands[name]!();
      expect(missingLines(command), `${name}: options without a help line`).toEqual([]);
      const { code, out } = await helpOutput([name, '--help']);
      expect(code).toBe(0);
      expect(out).toBe(command.help);
      expect((await helpOutput([name, '-h'])).out).toBe(command.help);
      for (const [sub, subHelp] of Object.entries(command.subcommands ?? {})) {
        expect(missingLines(subHelp), `${name} ${sub}: options without a help line`).toEqual([]);
        expect((await helpOutput([name, sub, '--help'])).out).toBe(subHelp.help);
      }
    });
  }

  test('the check notices a missing line', () => {
    expect(
      missingLines({
        help: '  --json   x\n',
        options: { json: { type: 'boolean' }, out: { type: 'string', short: 'o' } },
      }),
    ).toEqual(['-o, --out']);
  });
});
