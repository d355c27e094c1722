import { UserError } from '../../common/errors';
import { loadService } from '../../common/service/load-service';
import { serveUntilSignal } from '../../emulator/serve';
import { parseEmulateArgs } from '../../emulator/serve-options';
import { EMULATE_HELP } from '../emulate/emulate-help';
import type { Command } from '../main';

export const emulate: Command = {
  summary: 'run the functions locally: API Gateway, Lambda Invoke API, cold and warm starts',
  async run(argv) {
    if (argv[0] === 'publish') {
      const { emulatePublish } = await import('../emulate/emulate-publish.js');
      return emulatePublish(argv.slice(1));
    }
    if (argv[0] === 'invoke') {
      const { emulateInvoke } = await import('../emulate/emulate-invoke.js');
      return emulateInvoke(argv.slice(1));
    }
    const args = parseEmulateArgs(argv);
    if (args.help) {
      process.stdout.write(EMULATE_HELP);
      return 0;
    }
    const model = await loadService(args.config, args.stage ? { stage: args.stage } : {});
    if (args.artifacts === 'registry' && args.watch && argv.includes('--watch')) {
      throw new UserError('--watch reloads local source; with --artifacts registry there is none to watch', {
        hint: 'Drop --watch, or run from local source.',
        exitCode: 2,
      });
    }
    // With --cloud, functions deployed to the local control planes run on the emulator's engine.
    await serveUntilSignal(model, args);
    return 0;
  },
};
