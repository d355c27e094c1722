import { UserError } from '../../common/errors';
import type { Command } from '../main';

export const pull: Command = {
  summary: '(not available yet)',
  async run() {
    throw new UserError('faasport pull is not available in this build yet');
  },
};
