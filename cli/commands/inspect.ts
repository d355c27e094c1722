import { describeArtifact } from '../../artifact/inspect';
import { openStore } from '../../artifact/open-store';
import {
  COMMON_OPTION_LINES,
  commonOptions,
  formatBytes,
  parseCommandLine,
  platformOption,
  printResult,
  referenceArgument,
} from '../artifact-cli';
import type { Command } from '../main';

const USAGE = 'Usage: faasport inspect <reference> [--platform os/arch] [--json] [--insecure]';
const options = { ...commonOptions, platform: { type: 'string' } } as const;
const HELP = `${USAGE}

Shows what an artefact is (zip or image), its digests, its layer and which clouds accept it.
  --platform os/arch      the platform to describe in an image index (default: this machine's)
${COMMON_OPTION_LINES}
`;

export const inspect: Command = {
  summary: 'Show what an artefact is (zip or image), its digests and which clouds can run it',
  help: HELP,
  options,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, options, USAGE);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const reference = referenceArgument(positionals[0], 'the artefact reference', USAGE);
    const store = openStore(reference, { insecure: values.insecure });
    const info = await describeArtifact(store, reference, platformOption(values.platform));
    const clouds = Object.entries(info.clouds).map(([cloud, support]) => [
      `  ${cloud}`,
      `${support.accepted ? 'yes' : 'no'} (${support.note})`,
    ]) as Array<[string, string]>;
    printResult(values.json, info, [
      ['reference', info.reference],
      ['digest', info.digest],
      ['shape', info.shape],
      ['media type', info.mediaType],
      ['manifest', info.manifestDigest !== info.digest ? info.manifestDigest : undefined],
      ['artifact type', info.artifactType],
      ['platform', info.platform],
      [
        'layer',
        info.layer
          ? `${info.layer.digest} (${formatBytes(info.layer.size)}${info.layer.title ? `, ${info.layer.title}` : ''})`
          : undefined,
      ],
      ['layers', info.layers ? `${info.layers.length} (${formatBytes(info.size)})` : undefined],
      ['clouds', ''],
      ...clouds,
    ]);
    return 0;
  },
};
