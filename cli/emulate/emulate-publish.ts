import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import { DEFAULT_PORTS } from '../../emulator/emulator';
import type { PublishOutcome } from '../../emulator/providers/gcp/gcp-front-end';
import { loadOneShotService, withOneShotEmulator } from './one-shot-emulator';

export const PUBLISH_HELP = `Usage: faasport emulate publish --topic <topic> --data <json> [--attribute key=value]… [options]

Publishes one Pub/Sub message: every GCP function subscribed to the topic (events: - pubsub: …)
receives a messagePublished CloudEvent. Goes to the emulator running on --url when one answers,
otherwise starts one for the delivery and stops it.
  -t, --topic <topic>     topic name (or projects/<p>/topics/<t>)
  -d, --data <json>       the message data, a JSON document
  -a, --attribute key=value  a message attribute (repeatable)
  --url <url>             the running emulator's GCP port (default: http://127.0.0.1:${DEFAULT_PORTS.gcp})
  -c, --config <file>     service file, when no emulator runs (default: serverless.yml)
  -s, --stage <stage>     stage
  --engine docker|process where instances run, when no emulator runs
  -h, --help              this help
Exits 1 when a subscriber fails.
`;

export const PUBLISH_OPTIONS = {
  topic: { type: 'string', short: 't' },
  data: { type: 'string', short: 'd' },
  attribute: { type: 'string', short: 'a', multiple: true },
  url: { type: 'string' },
  config: { type: 'string', short: 'c' },
  stage: { type: 'string', short: 's' },
  engine: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export async function emulatePublish(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: PUBLISH_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UserError((error as Error).message, {
      hint: 'see `faasport emulate publish --help`',
      exitCode: 2,
    });
  }
  if (values.help) {
    process.stdout.write(PUBLISH_HELP);
    return 0;
  }
  const topic = values.topic as string | undefined;
  if (!topic) throw new UserError('which topic? pass --topic <topic>', { exitCode: 2 });
  const dataText = (values.data as string | undefined) ?? '{}';
  try {
    JSON.parse(dataText);
  } catch (error) {
    throw new UserError(`--data is not JSON: ${(error as Error).message}`, {
      hint: `Quote it for your shell, e.g. --data '{"name":"x"}'.`,
      exitCode: 2,
    });
  }
  const attributes: Record<string, string> = {};
  for (const pair of (values.attribute as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UserError(`--attribute "${pair}" is not key=value`, { exitCode: 2 });
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const data = Buffer.from(dataText);
  const url = (values.url as string | undefined) ?? `http://127.0.0.1:${DEFAULT_PORTS.gcp}`;
  const outcome =
    (await publishToRunning(url, topic, data, attributes)) ??
    (await publishInProcess(values, topic, data, attributes));
  process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  if (outcome.deliveries.length === 0)
    process.stderr.write(`faasport: no function is subscribed to ${topic}\n`);
  return outcome.deliveries.every((d) => d.status < 300) ? 0 : 1;
}

/** Undefined when nothing listens on the URL. */
async function publishToRunning(
  base: string,
  topic: string,
  data: Buffer,
  attributes: Record<string, string>,
): Promise<PublishOutcome | undefined> {
  let response: Response;
  try {
    response = await fetch(
      `${base.replace(/\/+$/, '')}/__faasport/gcp/topics/${encodeURIComponent(topic)}:publish`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ data: data.toString('base64'), attributes }] }),
      },
    );
  } catch {
    return undefined;
  }
  if (!response.ok) {
    throw new UserError(`the emulator at ${base} answered ${response.status}: ${await response.text()}`, {
      hint: 'Is it a faasport emulator with GCP functions? Pass its GCP port with --url.',
    });
  }
  process.stderr.write(`faasport: published through the emulator at ${base}\n`);
  return (await response.json()) as PublishOutcome;
}

async function publishInProcess(
  values: Record<string, unknown>,
  topic: string,
  data: Buffer,
  attributes: Record<string, string>,
): Promise<PublishOutcome> {
  const oneShot = {
    config: values.config as string | undefined,
    stage: values.stage as string | undefined,
    engine: values.engine as string | undefined,
  };
  const model = await loadOneShotService(oneShot);
  return withOneShotEmulator(model, oneShot, async (emulator) => {
    if (!emulator.gcp) throw new UserError(`no function in ${model.configFile} targets gcp`, { exitCode: 2 });
    return emulator.gcp.publish(topic, [{ data, attributes }]);
  });
}
