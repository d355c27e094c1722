import { UserError } from '../../common/errors';
import { loadService } from '../../common/service/load-service';
import type { ServiceModel } from '../../common/service/service-model';
import { Emulator } from '../../emulator/emulator';
import type { EngineName } from '../../emulator/engines/choose-engine';
import { consoleLogger, type EmulatorLogger } from '../../emulator/logger';

/** The options every one-shot `faasport emulate <subcommand>` shares. */
export interface OneShotOptions {
  config?: string | undefined;
  stage?: string | undefined;
  engine?: string | undefined;
  /** Where instance logs go; default: stderr, so stdout stays the command's result. */
  logger?: EmulatorLogger;
}

/** The service as `-c` / `--stage` name it; a bad `--engine` is refused first. */
export function loadOneShotService(options: OneShotOptions): Promise<ServiceModel> {
  engineName(options.engine);
  return loadService(options.config ?? 'serverless.yml', options.stage ? { stage: options.stage } : {});
}

/** `--engine` checked: docker, process, or not given. */
export function engineName(engine: string | undefined): EngineName | undefined {
  if (engine !== undefined && engine !== 'docker' && engine !== 'process') {
    throw new UserError(`--engine must be docker or process, got "${engine}"`, { exitCode: 2 });
  }
  return engine;
}

/**
 * Starts an emulator for one command on ephemeral ports (logs to stderr, so stdout stays the
 * command's result), runs `use`, and stops everything it started, whatever happened.
 */
export async function withOneShotEmulator<T>(
  model: ServiceModel,
  options: OneShotOptions,
  use: (emulator: Emulator) => Promise<T>,
): Promise<T> {
  const engine = engineName(options.engine);
  const emulator = new Emulator({
    model,
    ...(engine ? { engine } : {}),
    port: 0,
    lambdaPort: 0,
    gcpPort: 0,
    azurePort: 0,
    logger: options.logger ?? { line: (source, text) => consoleLogger.line(source, text, 'stderr') },
  });
  try {
    await emulator.start();
    return await use(emulator);
  } finally {
    await emulator.stop();
  }
}
