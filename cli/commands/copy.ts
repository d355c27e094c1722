import { UserError } from '../../common/errors';
import type { Command } from '../main';

export const copy: Command = {
  summary: '(not available yet)',
  async run() {
    throw new UserError('faasport copy is not available in this build yet');
  },
};
