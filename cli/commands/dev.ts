import { EMULATE_OPTIONS } from '../../emulator/serve-options';
import { EMULATE_HELP } from '../emulate/emulate-help';
import type { Command } from '../main';
import { emulate } from './emulate';

/** `faasport dev`: the emulator with hot reload, the edit-save-request loop. */
export const dev: Command = {
  summary: 'emulate with hot reload (same as faasport emulate --watch)',
  help: EMULATE_HELP,
  options: EMULATE_OPTIONS,
  run: (argv) => emulate.run(argv.includes('--no-watch') ? argv : ['--watch', ...argv]),
};
