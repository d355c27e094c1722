import { UserError } from '../../common/errors';
import type { Command } from '../main';

export const doctor: Command = {
  summary: '(not available yet)',
  async run() {
    throw new UserError('faasport doctor is not available in this build yet');
  },
};
