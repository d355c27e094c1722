import { UserError } from '../../common/errors';
import type { Command } from '../main';

export const inspect: Command = {
  summary: '(not available yet)',
  async run() {
    throw new UserError('faasport inspect is not available in this build yet');
  },
};
