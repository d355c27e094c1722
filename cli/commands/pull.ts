import { openStore } from '../../artifact/open-store';
import { pullArtifact } from '../../artifact/pull';
import {
  COMMON_OPTION_LINES,
  commonOptions,
  formatBytes,
  parseCommandLine,
  platformOption,
  printResult,
  progressReporter,
  referenceArgument,
  usageError,
} from '../artifact-cli';
import type { Command } from '../main';

const USAGE = 'Usage: faasport pull <reference> --out <dir> [--platform os/arch] [--json] [--insecure]';
const options = {
  ...commonOptions,
  out: { type: 'string', short: 'o' },
  platform: { type: 'string' },
} as const;
const HELP = `${USAGE}

Downloads a zip artefact, checks every byte against its digest and extracts it safely.
  -o, --out <dir>         the folder to extract into
  --platform os/arch      the platform to pull from an image index (default: this machine's)
${COMMON_OPTION_LINES}
`;

export const pull: Command = {
  summary: 'Download a zip artefact, verify it and extract it safely into a folder',
  help: HELP,
  options,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, options, USAGE);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const reference = referenceArgument(positionals[0], 'the artefact reference', USAGE);
    if (!values.out) throw usageError('missing --out <dir>', USAGE);
    const progress = progressReporter('pull');
    try {
      const result = await pullArtifact(
        openStore(reference, { insecure: values.insecure }),
        reference,
        values.out,
        {
          platform: platformOption(values.platform),
          onProgress: progress.onProgress,
        },
      );
      progress.done();
      printResult(values.json, result, [
        ['reference', result.reference],
        ['digest', result.digest],
        ['shape', result.shape],
        ['layer', `${result.layer.digest} (${formatBytes(result.layer.size)})`],
        ['extracted', `${result.files} files, ${formatBytes(result.bytes)} into ${result.out}`],
      ]);
    } finally {
      progress.done();
    }
    return 0;
  },
};
