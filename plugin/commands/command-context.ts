import { join } from 'node:path';
import { CLOUDS, type Cloud } from '../../common/clouds';
import { UserError } from '../../common/errors';
import { type ServiceModel, toServiceModel } from '../../common/service/service-model';
import type { ServerlessInstance, ServerlessOptions } from '../serverless-api';

/** What every plugin command works from: the service model and the command line. */
export interface CommandContext {
  model: ServiceModel;
  options: ServerlessOptions;
  env: NodeJS.ProcessEnv;
  /** Results (tables, payloads): stdout. */
  out(text: string): void;
  /** Progress: stderr. */
  log(line: string): void;
}

export function commandContext(serverless: ServerlessInstance, options: ServerlessOptions): CommandContext {
  const serviceDir = serverless.serviceDir;
  const config = serverless.configurationInput;
  if (!serviceDir || !config) {
    throw new UserError('this command needs a service: run it in the folder that holds serverless.yml', {
      exitCode: 2,
    });
  }
  const stageOption = typeof options.stage === 'string' ? options.stage : undefined;
  const model = toServiceModel(config, {
    serviceDir,
    configFile: join(serviceDir, serverless.configurationFilename ?? 'serverless.yml'),
    ...(stageOption ? { stage: stageOption } : {}),
  });
  for (const warning of model.warnings) process.stderr.write(`faasport: ${warning}\n`);
  return {
    model,
    options,
    env: process.env,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** `--target aws` (repeatable): validated before anything else happens. */
export function targetOption(options: ServerlessOptions): Cloud[] | undefined {
  const raw = options.target;
  if (raw === undefined || raw === null) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => String(value).split(','));
  for (const value of values) {
    if (!CLOUDS.includes(value as Cloud)) {
      throw new UserError(`--target ${value} is not one of ${CLOUDS.join(', ')}`, { exitCode: 2 });
    }
  }
  return values as Cloud[];
}

/** A whole-number option (`--concurrency 8`). */
export function integerOption(options: ServerlessOptions, name: string, fallback: number, min = 1): number {
  const raw = options[name];
  if (raw === undefined || raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UserError(`--${name} must be a whole number ≥ ${min}, got "${String(raw)}"`, { exitCode: 2 });
  }
  return value;
}
