import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import { packageRoot } from '../../common/package-info';
import { serveUntilSignal } from '../../emulator/serve';
import { parseEmulateArgs } from '../../emulator/serve-options';
import { formatTour, runTour } from '../demo/tour';
import { engineName, loadOneShotService, withOneShotEmulator } from '../emulate/one-shot-emulator';
import type { Command } from '../main';

const HELP = `Usage: faasport demo [--once] [--engine docker|process] [--port <n>] [--lambda-port <n>] [--gcp-port <n>] [--azure-port <n>]

Packs the example functions (serverless.example.yml) into the local OCI layout, starts the
emulator (docker when an engine with runtime images answers, else the process engine), sends a
short tour — each function on AWS, Google Cloud and Azure cold, then warm, with the timings —
and keeps serving until Ctrl-C.
  --once                   exit after the tour
  --engine docker|process  where instances run (default: docker when an engine with runtime images answers)
  --port <n>               API Gateway port to serve on after the tour (default: 3000)
  --lambda-port <n>        Lambda Invoke API port (default: 3002)
  --gcp-port <n>           Google Cloud Functions port (default: 8080)
  --azure-port <n>         Azure Functions port (default: 7071)
  -h, --help               this help
`;

const OPTIONS = {
  once: { type: 'boolean' },
  engine: { type: 'string' },
  port: { type: 'string' },
  'lambda-port': { type: 'string' },
  'gcp-port': { type: 'string' },
  'azure-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PORT_OPTIONS = ['port', 'lambda-port', 'gcp-port', 'azure-port'] as const;

export const demo: Command = {
  summary: 'a guided tour of the emulator on the example service',
  help: HELP,
  options: OPTIONS,
  async run(argv) {
    let values: Partial<Record<keyof typeof OPTIONS, string | boolean>>;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: OPTIONS,
        strict: true,
      }));
    } catch (error) {
      throw new UserError((error as Error).message, { hint: 'see `faasport demo --help`', exitCode: 2 });
    }
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const engineOption = values.engine as string | undefined;
    const engine = engineName(engineOption);
    // The ports are checked (as faasport emulate checks them) before anything starts.
    const ports = parseEmulateArgs(
      PORT_OPTIONS.flatMap((name) => (typeof values[name] === 'string' ? [`--${name}`, values[name]] : [])),
    );
    const model = await loadOneShotService({ config: join(packageRoot, 'serverless.example.yml') });
    process.stdout.write('faasport demo: packing the example functions and starting the emulator…\n');
    // The tour runs on ephemeral ports, quietly; then the service is served on the usual ones.
    const asExpected = await withOneShotEmulator(
      model,
      { engine: engineOption, logger: { line: () => undefined } },
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
      port: ports.port,
      lambdaPort: ports.lambdaPort,
      gcpPort: ports.gcpPort,
      azurePort: ports.azurePort,
      warm: 'lazy',
      idleTimeoutSeconds: 600,
      maxConcurrency: 10,
    });
    return 0;
  },
};
