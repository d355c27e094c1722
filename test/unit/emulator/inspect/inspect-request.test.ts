import { describe, expect, test } from 'vitest';
import { UserError } from '../../../../common/errors';
import { parseEmulateArgs } from '../../../../emulator/serve-options';

const inspect = (...argv: string[]) => parseEmulateArgs(argv).inspect;

describe('--inspect and --inspect-brk', () => {
  test('bare, a port, a function, a function and a port; repeatable for several functions', () => {
    expect(inspect('--inspect')).toEqual({ brk: false, targets: [{}] });
    expect(inspect('--inspect=9300')).toEqual({ brk: false, targets: [{ port: 9300 }] });
    expect(inspect('--inspect=hello')).toEqual({ brk: false, targets: [{ function: 'hello' }] });
    expect(inspect('--inspect-brk=hello:9300', '--inspect-brk=worker')).toEqual({
      brk: true,
      targets: [{ function: 'hello', port: 9300 }, { function: 'worker' }],
    });
    expect(inspect()).toBeUndefined();
  });

  test.each([
    [['--inspect', '--inspect-brk'], '--inspect and --inspect-brk contradict each other: pick one'],
    [['--inspect=80'], '--inspect=80: the port must be between 1024 and 65535'],
    [
      ['--inspect=a:b:c'],
      '--inspect=a:b:c: expected --inspect, --inspect=<port>, --inspect=<function> or --inspect=<function>:<port>',
    ],
    [
      ['--inspect', '--inspect=hello'],
      '--inspect without a function inspects every function: give it once, or name each function',
    ],
  ])('%j is refused in one line: %s', (argv, message) => {
    let thrown: unknown;
    try {
      parseEmulateArgs(argv);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).message).toBe(message);
  });
});
