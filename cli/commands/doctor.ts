import { parseArgs } from 'node:util';
import { UserError } from '../../common/errors';
import { registryBaseUrl } from '../doctor/registry';
import { realDependencies, runDoctor } from '../doctor/run';
import { formatTable } from '../doctor/table';
import type { Command } from '../main';

const HELP = `Usage: faasport doctor [--json] [--registry <host[:port]>]

Checks what faasport needs on this machine: Node.js, the Docker engine, the runtime images,
a registry (with --registry), a Serverless Framework, skopeo and cloud credentials (presence only).

  --json                 print one JSON object: { ok, checks: [{ name, status, required, detail }] }
  --registry <host>      also check that this registry answers GET /v2/ (http for loopback only)
  -h, --help             this help

Exits 1 when a required check fails.
`;

const OPTIONS = {
  json: { type: 'boolean', default: false },
  registry: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse(argv: string[]): { json: boolean; registry?: string; help: boolean } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
    return {
      json: values.json,
      help: values.help,
      ...(values.registry === undefined ? {} : { registry: values.registry }),
    };
  } catch (error) {
    throw new UserError(error instanceof Error ? error.message : String(error), {
      hint: 'see `faasport doctor --help`',
      exitCode: 2,
    });
  }
}

export const doctor: Command = {
  summary:
    'check Node.js, Docker, runtime images, a registry, the Serverless Framework, skopeo and credentials',
  help: HELP,
  options: OPTIONS,
  async run(argv) {
    const args = parse(argv);
    if (args.help) {
      process.stdout.write(HELP);
      return 0;
    }
    // A malformed --registry is a usage error, reported before any check runs.
    if (args.registry !== undefined) registryBaseUrl(args.registry);
    const result = await runDoctor(
      args.registry === undefined ? {} : { registry: args.registry },
      realDependencies(),
    );
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
      process.stdout.write(formatTable(result, colour));
    }
    return result.ok ? 0 : 1;
  },
};
