import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../errors';
import { type ServiceModel, toServiceModel } from './service-model';
import { resolveVariables } from './variables';

/** Reads and resolves a serverless.yml without the framework (for `faasport …` commands). */
export async function loadService(
  configPath: string,
  options: { stage?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ServiceModel> {
  const configFile = resolve(configPath);
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${configPath}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`, {
      hint: 'Pass the service file with -c <path>, or run the command in the folder that holds serverless.yml.',
    });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new UserError(`${configPath} is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`${configPath} must hold a YAML mapping (service, provider, functions)`);
  }
  const resolved = resolveVariables(
    raw as Record<string, unknown>,
    { options: { stage: options.stage }, env: options.env ?? process.env },
    configPath,
  );
  return toServiceModel(resolved, {
    serviceDir: dirname(configFile),
    configFile,
    ...(options.stage ? { stage: options.stage } : {}),
  });
}
