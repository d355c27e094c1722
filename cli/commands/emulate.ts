import { UserError } from '../../common/errors';
import { loadService } from '../../common/service/load-service';
import { serveUntilSignal } from '../../emulator/serve';
import { EMULATE_OPTIONS, parseEmulateArgs } from '../../emulator/serve-options';
import { EMULATE_HELP } from '../emulate/emulate-help';
import { emulateInvoke, INVOKE_HELP, INVOKE_OPTIONS } from '../emulate/emulate-invoke';
import { emulatePublish, PUBLISH_HELP, PUBLISH_OPTIONS } from '../emulate/emulate-publish';
import type { Command } from '../main';

export const emulate: Command = {
  summary: 'run the functions locally: API Gateway, Lambda Invoke API, cold and warm starts',
  help: EMULATE_HELP,
  options: EMULATE_OPTIONS,
  subcommands: {
    invoke: { help: INVOKE_HELP, options: INVOKE_OPTIONS },
    publish: { help: PUBLISH_HELP, options: PUBLISH_OPTIONS },
  },
  async run(argv) {
    if (argv[0] === 'publish') {
      return emulatePublish(argv.slice(1));
    }
    if (argv[0] === 'invoke') {
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
