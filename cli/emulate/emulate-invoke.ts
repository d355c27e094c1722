import { readFile } from 'node:fs/promises';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import type { SampleOutcome } from '../../emulator/providers/front-end';
import { SAMPLE_EVENTS, sampleEventCloud } from '../../emulator/providers/sample-events';
import { loadOneShotService, withOneShotEmulator } from './one-shot-emulator';

const kinds = (cloud: keyof typeof SAMPLE_EVENTS) => SAMPLE_EVENTS[cloud].map((e) => e.kind).join(', ');

export const INVOKE_HELP = `Usage: faasport emulate invoke -f <function> [--event <kind>|<file.json>] [-c serverless.yml]

Invokes one function once, locally, and prints what it returned (logs go to stderr).
  -f, --function <name>   the function's key in serverless.yml, or its deployed name
  -e, --event <kind|file> ${kinds('aws')} (AWS), ${kinds('gcp')} (GCP CloudEvents),
                          ${kinds('azure')} (Azure triggers), or a JSON file (default: {})
  -c, --config <file>     service file (default: serverless.yml)
  -s, --stage <stage>     stage
  --engine docker|process where the instance runs
  -h, --help              this help
Exits 1 when the function returns an error.
`;

export const INVOKE_OPTIONS = {
  function: { type: 'string', short: 'f' },
  event: { type: 'string', short: 'e' },
  config: { type: 'string', short: 'c' },
  stage: { type: 'string', short: 's' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export async function emulateInvoke(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: INVOKE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UserError((error as Error).message, {
      hint: 'see `faasport emulate invoke --help`',
      exitCode: 2,
    });
  }
  if (values.help) {
    process.stdout.write(INVOKE_HELP);
    return 0;
  }
  const name = values.function as string | undefined;
  if (!name) throw new UserError('which function? pass -f <function>', { exitCode: 2 });
  const oneShot = {
    config: values.config as string | undefined,
    stage: values.stage as string | undefined,
    engine: values.engine as string | undefined,
  };
  const model = await loadOneShotService(oneShot);
  const fn = model.functions.find((f) => f.key === name || f.name === name);
  if (!fn) {
    throw new UserError(`no function "${name}" in ${model.configFile}`, {
      hint: `Known functions: ${model.functions.map((f) => f.key).join(', ') || '(none)'}.`,
      exitCode: 2,
    });
  }
  const spec = values.event as string | undefined;
  // A sample kind goes to the front-end that owns it; anything else is an event file for AWS.
  if (spec !== undefined && sampleEventCloud(spec)) {
    return withOneShotEmulator(model, oneShot, async (emulator) =>
      report(await emulator.invokeSample(fn, spec, Buffer.from('{"name":"faasport"}'))),
    );
  }
  const event = await readEvent(spec);
  return withOneShotEmulator(model, oneShot, async (emulator) => {
    const aws = emulator.frontEnd('aws');
    if (!aws?.find(fn.name)) {
      throw new UserError(`${fn.key} does not run on aws here, so it cannot take an event file`, {
        hint: 'Event files are Lambda events; for gcp or azure pick one of their sample events.',
        exitCode: 2,
      });
    }
    return report(await aws.invokeEvent(fn, event));
  });
}

/** Prints what came back; the exit code says whether the function succeeded. */
function report(outcome: SampleOutcome): number {
  process.stdout.write(`${outcome.output}\n`);
  if (outcome.note) process.stderr.write(`faasport: ${outcome.note}\n`);
  return outcome.succeeded ? 0 : 1;
}

async function readEvent(spec: string | undefined): Promise<unknown> {
  if (!spec) return {};
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch {
    throw new UserError(
      `--event "${spec}" is neither a sample (${Object.values(SAMPLE_EVENTS)
        .flatMap((events) => events.map((e) => e.kind))
        .join(', ')}) nor a readable file`,
      { exitCode: 2 },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`--event ${spec} is not valid JSON: ${(error as Error).message}`, { exitCode: 2 });
  }
}
