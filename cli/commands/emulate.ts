import { UserError } from '../../common/errors';
import { loadService } from '../../common/service/load-service';
import { Emulator } from '../../emulator/emulator';
import { EMULATE_HELP, parseEmulateArgs } from '../emulate/emulate-options';
import type { Command } from '../main';
import { formatColumns } from '../output/columns';

export const emulate: Command = {
  summary: 'run the functions locally: API Gateway, Lambda Invoke API, cold and warm starts',
  async run(argv) {
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
    if (args.artifacts === 'registry') {
      throw new UserError('--artifacts registry is not available in this build yet', {
        hint: 'Run from local source (the default) for now.',
        exitCode: 2,
      });
    }
    const emulator = new Emulator({
      model,
      ...(args.engine ? { engine: args.engine } : {}),
      host: args.host,
      port: args.port,
      lambdaPort: args.lambdaPort,
      warm: args.warm,
      idleTimeoutMs: args.idleTimeoutSeconds * 1000,
      defaultConcurrency: args.maxConcurrency,
    });
    try {
      await emulator.start();
    } catch (error) {
      await emulator.stop();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new UserError(
          `a port is already in use (${(error as Error).message.replace(/^listen EADDRINUSE: address already in use /, '')})`,
          {
            hint: 'Stop what uses it, or pick other ports with --port / --lambda-port.',
          },
        );
      }
      throw error;
    }
    printEndpoints(emulator, model.service, model.stage);
    await waitForSignal();
    process.stderr.write('\nfaasport: stopping…\n');
    await emulator.stop();
    return 0;
  },
};

function printEndpoints(emulator: Emulator, service: string, stage: string): void {
  const rows = emulator.endpoints().map((endpoint) => [endpoint.name, endpoint.url, endpoint.description]);
  process.stdout.write(
    `faasport emulate: ${service} (stage ${stage}), ${emulator.functionNames().length} functions on the ${emulator.engineName} engine\n\n` +
      `${formatColumns(['ROUTE', 'URL', 'FUNCTION'], rows)}\n\n` +
      `Recycle a function (next request cold): POST ${emulator.urls.gateway}/__faasport/functions/<name>/recycle\n` +
      'Ctrl-C stops everything.\n',
  );
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
