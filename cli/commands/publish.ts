import { UserError } from '../../common/errors';
import type { Command } from '../main';

export const publish: Command = {
  summary: '(not available yet)',
  async run() {
    throw new UserError('faasport publish is not available in this build yet');
  },
};
