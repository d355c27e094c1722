import type { ParseArgsOptionsConfig } from 'node:util';
import { formatUserError, isUserError, UserError } from '../common/errors';
import { packageVersion } from '../common/package-info';

/** What `--help` prints and the options it describes: one help line per option parsed. */
export interface CommandHelp {
  help: string;
  /** The options the command parses (node:util parseArgs), each on a line of `help`. */
  options: ParseArgsOptionsConfig;
}

/** A CLI command: parses its own arguments, returns the process exit code. */
export type Command = CommandHelp & {
  summary: string;
  /** `faasport <command> <subcommand>` (e.g. `emulate invoke`), with their own help. */
  subcommands?: Record<string, CommandHelp>;
  run(argv: string[]): Promise<number>;
};

// Loaded lazily so `faasport doctor` does not pay for the emulator's imports.
export const commands: Record<string, () => Promise<Command>> = {
  doctor: async () => (await import('./commands/doctor.js')).doctor,
  publish: async () => (await import('./commands/publish.js')).publish,
  inspect: async () => (await import('./commands/inspect.js')).inspect,
  copy: async () => (await import('./commands/copy.js')).copy,
  pull: async () => (await import('./commands/pull.js')).pull,
  emulate: async () => (await import('./commands/emulate.js')).emulate,
  dev: async () => (await import('./commands/dev.js')).dev,
  demo: async () => (await import('./commands/demo.js')).demo,
};

function usage(): string {
  const lines = Object.keys(commands).map((name) => `  faasport ${name}`);
  return [
    'Usage: faasport <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'faasport <command> --help for details.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${packageVersion}\n`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`faasport: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`faasport ${name}: ${formatUserError(error)}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

export { UserError };
