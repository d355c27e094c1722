import { UserError } from '../../common/errors';

/** Node's default inspector port; each further inspected function takes the next one. */
export const DEFAULT_INSPECT_PORT = 9229;

/** What `--inspect` / `--inspect-brk` asked for, before the service is known. */
export interface InspectRequest {
  /** `--inspect-brk`: each inspected instance waits for a debugger before any code runs. */
  brk: boolean;
  /** One entry per flag; no `function` = every function. */
  targets: { function?: string; port?: number }[];
}

/**
 * Reads `--inspect`, `--inspect=9230`, `--inspect=hello` and `--inspect=hello:9230` (several may
 * be given; `--inspect-brk` the same). `values` are the flags' values, '' for a bare flag.
 */
export function parseInspect(values: string[], brkValues: string[]): InspectRequest | undefined {
  if (values.length > 0 && brkValues.length > 0) {
    throw new UserError('--inspect and --inspect-brk contradict each other: pick one', { exitCode: 2 });
  }
  const brk = brkValues.length > 0;
  const flag = brk ? '--inspect-brk' : '--inspect';
  const given = brk ? brkValues : values;
  if (given.length === 0) return undefined;
  const targets = given.map((value) => {
    const match = /^(?:([A-Za-z0-9_.-]*[A-Za-z_.-][A-Za-z0-9_.-]*)(?::(\d+))?|(\d+))?$/.exec(value);
    if (!match) {
      throw new UserError(
        `${flag}=${value}: expected ${flag}, ${flag}=<port>, ${flag}=<function> or ${flag}=<function>:<port>`,
        {
          exitCode: 2,
        },
      );
    }
    const portText = match[2] ?? match[3];
    const port = portText === undefined ? undefined : Number(portText);
    if (port !== undefined && (port < 1024 || port > 65_535)) {
      throw new UserError(`${flag}=${value}: the port must be between 1024 and 65535`, { exitCode: 2 });
    }
    return { ...(match[1] ? { function: match[1] } : {}), ...(port !== undefined ? { port } : {}) };
  });
  if (targets.some((t) => !t.function) && targets.length > 1) {
    throw new UserError(
      `${flag} without a function inspects every function: give it once, or name each function`,
      {
        exitCode: 2,
      },
    );
  }
  return { brk, targets };
}

/** parseArgs needs a value for a string flag: a bare `--inspect` becomes `--inspect=`. */
export function withInspectValues(argv: string[]): string[] {
  return argv.map((arg) => (arg === '--inspect' || arg === '--inspect-brk' ? `${arg}=` : arg));
}
