import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../../common/errors';
import { deployUnits } from '../planner/deploy-units';
import { type CommandContext, targetOption } from './command-context';
import { withDeployers } from './with-deployers';

/** `sls invoke -f <fn> [--target aws] [--data <json> | --path <file>]`: runs the deployed function. */
export async function invoke(context: CommandContext): Promise<void> {
  const { model, options } = context;
  const key = typeof options.function === 'string' ? options.function : undefined;
  if (!key) throw new UserError('sls invoke needs -f <function>', { exitCode: 2 });
  const fn = model.functions.find((candidate) => candidate.key === key);
  if (!fn) {
    throw new UserError(`function "${key}" is not declared in ${model.configFile}`, {
      hint: `Declared functions: ${model.functions.map((candidate) => candidate.key).join(', ')}.`,
      exitCode: 2,
    });
  }
  const targets = targetOption(options) ?? (fn.targets.length === 1 ? fn.targets : undefined);
  if (targets?.length !== 1) {
    throw new UserError(`${key} deploys to ${fn.targets.join(', ')}: say which one to invoke with --target`, {
      exitCode: 2,
    });
  }
  const [target] = targets as [(typeof targets)[number]];
  const [unit] = deployUnits(model, { targets, function: key });
  if (!unit)
    throw new UserError(`${key} is not deployed to ${target} (functions.${key}.targets)`, { exitCode: 2 });
  const payload = await payloadFrom(context);
  await withDeployers(context, targets, async ({ deployers }) => {
    const deployer = deployers.get(target);
    if (!deployer)
      throw new UserError(`invoking on ${target} is not available in this version`, { exitCode: 2 });
    const result = await deployer.invoke(unit, payload);
    if (result.logTail && options.log === true) context.log(result.logTail);
    context.out(result.payload);
    if (result.functionError) {
      throw new UserError(`${fn.name} on ${target} failed (${result.functionError})`);
    }
  });
}

async function payloadFrom(context: CommandContext): Promise<string> {
  const { data, path } = context.options;
  if (typeof data === 'string' && typeof path === 'string') {
    throw new UserError('pass either --data or --path, not both', { exitCode: 2 });
  }
  const text =
    typeof path === 'string'
      ? await readFile(resolve(context.model.serviceDir, path), 'utf8').catch(() => {
          throw new UserError(`cannot read --path ${path}`, { exitCode: 2 });
        })
      : typeof data === 'string'
        ? data
        : '{}';
  try {
    JSON.parse(text);
  } catch {
    // Lambda takes any JSON value; a bare string is sent as one.
    return JSON.stringify(text);
  }
  return text;
}
