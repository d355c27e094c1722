import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FaasportPlugin from '../../../plugin/index';
import type { ServerlessInstance } from '../../../plugin/serverless-api';

/**
 * serverless@3's own configuration validator (ajv strict mode, its error normaliser), driven
 * without a full framework run: the plugin defines its schema on it exactly as in `sls`.
 */
interface ConfigSchemaHandler {
  validateConfig(config: unknown): Promise<void>;
  defineProvider: ServerlessInstance['configSchemaHandler']['defineProvider'];
}

const requireFromHere = createRequire(import.meta.url);
const ConfigSchemaHandlerClass = requireFromHere('serverless/lib/classes/config-schema-handler') as new (
  serverless: unknown,
) => ConfigSchemaHandler;

/**
 * The framework caches compiled validators under $HOME: point it at a scratch folder for the
 * duration of a test file. Returns the clean-up.
 */
export function useScratchSchemaCache(): () => void {
  const previous = process.env.SLS_SCHEMA_CACHE_BASE_DIR;
  const dir = mkdtempSync(join(tmpdir(), 'faasport-schema-cache-'));
  process.env.SLS_SCHEMA_CACHE_BASE_DIR = dir;
  return () => {
    if (previous === undefined) delete process.env.SLS_SCHEMA_CACHE_BASE_DIR;
    else process.env.SLS_SCHEMA_CACHE_BASE_DIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}

export type Config = { provider: { name: string }; [key: string]: unknown };

/** Resolves when the framework accepts `config`; rejects with the framework's error otherwise. */
export async function validateWithFramework(config: Config): Promise<void> {
  const serverless = {
    service: {
      service: 'test',
      provider: { name: config.provider.name },
      configValidationMode: 'error',
      getAllFunctions: () => [],
    },
    configurationInput: config,
    setProvider: () => {},
    configSchemaHandler: undefined as unknown as ConfigSchemaHandler,
  };
  serverless.configSchemaHandler = new ConfigSchemaHandlerClass(serverless);
  new FaasportPlugin(serverless, {});
  await serverless.configSchemaHandler.validateConfig(config);
}
