import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import { packageRoot } from '../../common/package-info';
import { serveUntilSignal } from '../../emulator/serve';
import { formatTour, runTour } from '../demo/tour';
import { engineName, loadOneShotService, withOneShotEmulator } from '../emulate/one-shot-emulator';
import type { Command } from '../main';

const HELP = `Usage: faasport demo [--once] [--engine docker|process]

Packs the example functions (serverless.example.yml) into the local OCI layout, starts the
emulator (docker when an engine with runtime images answers, else the process engine), sends a
short tour — each function on AWS, Google Cloud and Azure cold, then warm, with the timings —
and keeps serving until Ctrl-C.
  --once     exit after the tour
`;

export const demo: Command = {
  summary: 'a guided tour of the emulator on the example service',
  async run(argv) {
    let values: { once?: boolean; engine?: string; help?: boolean };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          once: { type: 'boolean' },
          engine: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
        strict: true,
      }));
    } catch (error) {
      throw new UserError((error as Error).message, { hint: 'see `faasport demo --help`', exitCode: 2 });
    }
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const engine = engineName(values.engine);
    const model = await loadOneShotService({ config: join(packageRoot, 'serverless.example.yml') });
    process.stdout.write('faasport demo: packing the example functions and starting the emulator…\n');
    // The tour runs on ephemeral ports, quietly; then the service is served on the usual ones.
    const asExpected = await withOneShotEmulator(
      model,
      { engine: values.engine, logger: { line: () => undefined } },
      async (tourEmulator) => {
        process.stdout.write(
          `Engine: ${tourEmulator.engineName}. Each function on each provider once cold (after a recycle), then warm:\n\n`,
        );
        const stops = await runTour(tourEmulator);
        process.stdout.write(`${formatTour(stops)}\n\n`);
        return stops.every((stop) => stop.status < 500 && stop.warmWasWarm);
      },
    );
    if (!asExpected) {
      process.stderr.write('faasport demo: some stops did not answer as expected (see above).\n');
      if (values.once) return 1;
    }
    if (values.once) return 0;
    await serveUntilSignal(model, {
      ...(engine ? { engine } : {}),
      host: '127.0.0.1',
      port: 3000,
      lambdaPort: 3002,
      warm: 'lazy',
      idleTimeoutSeconds: 600,
      maxConcurrency: 10,
    });
    return 0;
  },
};
