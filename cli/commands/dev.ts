import type { Command } from '../main';
import { emulate } from './emulate';

/** `faasport dev`: the emulator with hot reload, the edit-save-request loop. */
export const dev: Command = {
  summary: 'emulate with hot reload (same as faasport emulate --watch)',
  run: (argv) => emulate.run(argv.includes('--no-watch') ? argv : ['--watch', ...argv]),
};
