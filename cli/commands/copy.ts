import { copyReference } from '../../artifact/copy-reference';
import {
  COMMON_OPTION_LINES,
  commonOptions,
  formatBytes,
  parseCommandLine,
  platformOption,
  printResult,
  progressReporter,
  referenceArgument,
} from '../artifact-cli';
import type { Command } from '../main';

const USAGE =
  'Usage: faasport copy <source-reference> <target-reference> [--platform os/arch] [--json] [--insecure]';
const options = { ...commonOptions, platform: { type: 'string' } } as const;
const HELP = `${USAGE}

Copies an artefact (zip or image, an index with its platforms) to another registry, repository or
local layout; digests are preserved, blobs the target has are not sent again.
  --platform os/arch      copy only this platform of an image index
${COMMON_OPTION_LINES}
`;

export const copy: Command = {
  summary: 'Copy an artefact to another registry, repository or local layout, digests preserved',
  help: HELP,
  options,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, options, USAGE);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const from = referenceArgument(positionals[0], 'the source reference', USAGE);
    const to = referenceArgument(positionals[1], 'the target reference', USAGE);
    const progress = progressReporter('copy');
    try {
      const result = await copyReference(from, to, {
        insecure: values.insecure,
        platform: platformOption(values.platform),
        onProgress: progress.onProgress,
      });
      progress.done();
      printResult(values.json, result, [
        ['reference', result.reference],
        ['source', result.source],
        ['digest', result.digest],
        ['shape', result.shape],
        ['sent', formatBytes(result.transferredBytes)],
        ['mounted', result.mounted ? `${result.mounted} blob(s)` : undefined],
        ['already there', result.skipped ? `${result.skipped} item(s)` : undefined],
      ]);
    } finally {
      progress.done();
    }
    return 0;
  },
};
