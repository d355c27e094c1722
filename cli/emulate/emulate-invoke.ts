import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import { LOCAL_ACCOUNT_ID } from '../../emulator/providers/aws/aws-front-end';
import {
  SAMPLE_EVENT_KINDS,
  type SampleEventKind,
  sampleEvent,
} from '../../emulator/providers/aws/sample-events';
import { sqsBatchOutcome } from '../../emulator/providers/aws/sqs-batch';
import { invokeProviderEvent, isProviderEventKind } from './invoke-provider-event';
import { loadOneShotService, withOneShotEmulator } from './one-shot-emulator';

const HELP = `Usage: faasport emulate invoke -f <function> [--event <kind>|<file.json>] [-c serverless.yml]

Invokes one function once, locally, and prints what it returned (logs go to stderr).
  -f, --function <name>   the function's key in serverless.yml, or its deployed name
  --event <kind|file>     ${SAMPLE_EVENT_KINDS.join(', ')} (AWS), pubsub, gcs (GCP CloudEvents),
                          queue, blob, timer (Azure triggers), or a JSON file (default: {})
  -c, --config <file>     service file (default: serverless.yml)
  -s, --stage <stage>     stage
  --engine docker|process where the instance runs
Exits 1 when the function returns an error.
`;

export async function emulateInvoke(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        function: { type: 'string', short: 'f' },
        event: { type: 'string', short: 'e' },
        config: { type: 'string', short: 'c' },
        stage: { type: 'string', short: 's' },
        engine: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
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
    process.stdout.write(HELP);
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
  const kind = values.event as string | undefined;
  if (isProviderEventKind(kind)) {
    return withOneShotEmulator(model, oneShot, (emulator) =>
      invokeProviderEvent(emulator, fn, kind, Buffer.from('{"name":"faasport"}')),
    );
  }
  const region = String(model.targets.aws?.region ?? 'us-east-1');
  const event = await readEvent(values.event as string | undefined, {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    functionName: fn.name,
  });

  return withOneShotEmulator(model, oneShot, async (emulator) => {
    const result = await emulator.invoke(fn.name, event);
    process.stdout.write(`${prettyJson(result.payload)}\n`);
    if (isSqsEvent(event)) {
      const outcome = sqsBatchOutcome(event, result.payload, Boolean(result.functionError));
      process.stderr.write(`faasport: SQS batch: ${describeOutcome(outcome)}\n`);
    }
    return result.functionError ? 1 : 0;
  });
}

async function readEvent(
  spec: string | undefined,
  context: { region: string; accountId: string; functionName: string },
): Promise<unknown> {
  if (!spec) return {};
  if ((SAMPLE_EVENT_KINDS as readonly string[]).includes(spec))
    return sampleEvent(spec as SampleEventKind, context);
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch {
    throw new UserError(
      `--event "${spec}" is neither a sample (${SAMPLE_EVENT_KINDS.join(', ')}) nor a readable file`,
      { exitCode: 2 },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`--event ${spec} is not valid JSON: ${(error as Error).message}`, { exitCode: 2 });
  }
}

function isSqsEvent(event: unknown): event is { Records: { messageId: string; eventSource: string }[] } {
  const records = (event as { Records?: { eventSource?: string }[] } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => r?.eventSource === 'aws:sqs');
}

function describeOutcome(outcome: ReturnType<typeof sqsBatchOutcome>): string {
  switch (outcome.kind) {
    case 'all-succeeded':
      return 'every message succeeded and would be deleted';
    case 'partial':
      return `${outcome.failedMessageIds.length} message(s) would return to the queue: ${outcome.failedMessageIds.join(', ')}`;
    case 'batch-failed':
      return `the whole batch would return to the queue (${outcome.reason})`;
  }
}

function prettyJson(payload: Buffer): string {
  try {
    return JSON.stringify(JSON.parse(payload.toString('utf8')), null, 2);
  } catch {
    return payload.toString('utf8');
  }
}
