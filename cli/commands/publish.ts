import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { openStore } from '../../artifact/open-store';
import { type PublishedFolder, publishFolder } from '../../artifact/publish/publish-folder';
import { publishImage } from '../../artifact/publish/publish-image';
import { publishService } from '../../artifact/publish/publish-service';
import { functionsToPublish } from '../../artifact/publish/service-functions';
import { formatReference, parseReference, type Reference, withDigest } from '../../artifact/reference';
import { loadService } from '../../common/service/load-service';
import {
  COMMON_OPTION_LINES,
  commonOptions,
  formatBytes,
  parseCommandLine,
  printResult,
  progressReporter,
  usageError,
} from '../artifact-cli';
import type { Command } from '../main';

const USAGE = [
  'Usage: faasport publish <dir> --to <reference> [--pattern <glob>]... [--node-modules production|none] [--json] [--insecure]',
  '       faasport publish <oci-layout-dir | docker-save.tar> --to <reference> [--json] [--insecure]',
  '       faasport publish [-c serverless.yml] [-s stage] [-f function] [--json] [--insecure]',
].join('\n');

const options = {
  ...commonOptions,
  to: { type: 'string' },
  pattern: { type: 'string', multiple: true },
  'node-modules': { type: 'string' },
  config: { type: 'string', short: 'c' },
  function: { type: 'string', short: 'f' },
  stage: { type: 'string', short: 's' },
} as const;

const HELP = `${USAGE}

Packs a folder deterministically (or takes an image) and pushes it as an OCI artefact; with no
folder, publishes every function of serverless.yml to its sourceArtifact.
  --to <reference>        where to push: <registry>/<repository>:<tag> or oci:<dir>:<tag>
  --pattern <glob>        what goes into the zip (repeatable; ! excludes)
  --node-modules production|none  include production node_modules (default) or none
  -c, --config <file>     service file (default: serverless.yml)
  -f, --function <name>   only this function of the service
  -s, --stage <stage>     stage, for \${opt:stage} and \${sls:stage}
${COMMON_OPTION_LINES}
`;

function tagOf(reference: Reference): string | undefined {
  return reference.tag;
}

async function isImageSource(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return true;
  return (
    info?.isDirectory() === true &&
    (await stat(resolve(path, 'oci-layout')).catch(() => undefined)) !== undefined
  );
}

async function publishOneFolder(
  dir: string,
  to: Reference,
  values: { insecure: boolean; json: boolean; pattern?: string[]; 'node-modules'?: string },
) {
  const nodeModules = values['node-modules'] ?? 'production';
  if (nodeModules !== 'production' && nodeModules !== 'none') {
    throw usageError(`--node-modules must be "production" or "none", not "${nodeModules}"`, USAGE);
  }
  const progress = progressReporter('push');
  try {
    const result: PublishedFolder = await publishFolder(
      openStore(to, { insecure: values.insecure }),
      { sourceDir: dir, patterns: values.pattern ?? [], nodeModules },
      tagOf(to),
      { onProgress: progress.onProgress },
    );
    progress.done();
    const output = {
      reference: formatReference(withDigest(to, result.manifest.digest)),
      digest: result.manifest.digest,
      shape: 'zip' as const,
      layer: { digest: result.layer.digest, size: result.layer.size },
      manifestShape: result.manifestShape,
      uploadedBytes: result.uploadedBytes,
      files: result.files,
    };
    printResult(values.json, output, [
      ['reference', output.reference],
      ['digest', output.digest],
      ['shape', 'zip'],
      ['layer', `${output.layer.digest} (${formatBytes(output.layer.size)}, ${output.files} files)`],
      ['uploaded', output.uploadedBytes ? formatBytes(output.uploadedBytes) : 'nothing (unchanged)'],
      [
        'manifest',
        output.manifestShape === 'v1.0' ? 'image-spec 1.0 shape (the registry refused 1.1)' : undefined,
      ],
    ]);
  } finally {
    progress.done();
  }
}

/** `-c`: serverless.yml read (variables resolved) as `faasport emulate -c` reads it. */
async function publishServiceFile(
  configPath: string,
  only: string | undefined,
  values: { insecure: boolean; json: boolean; stage?: string },
) {
  const model = await loadService(configPath, values.stage ? { stage: values.stage } : {});
  let progress: ReturnType<typeof progressReporter> | undefined;
  try {
    const results = await publishService({
      serviceDir: model.serviceDir,
      functions: functionsToPublish(model, only),
      plugins: model.plugins,
      insecure: values.insecure,
      onFunction: (fn) => {
        progress?.done();
        progress = progressReporter(`push ${fn.name}`);
        return progress.onProgress;
      },
    });
    progress?.done();
    if (values.json) {
      const functions = results.map(({ result: _result, ...rest }) => ({ ...rest, shape: 'zip' as const }));
      process.stdout.write(`${JSON.stringify({ functions }, null, 2)}\n`);
    } else {
      for (const result of results) process.stdout.write(`${result.function}: ${result.reference}\n`);
    }
  } finally {
    progress?.done();
  }
}

export const publish: Command = {
  summary: 'Pack function code deterministically and push it as an OCI artefact',
  help: HELP,
  options,
  async run(argv) {
    const { values, positionals } = parseCommandLine(argv, options, USAGE);
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 1)
      throw usageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`, USAGE);
    const [source] = positionals;
    if (source === undefined) {
      if (values.to)
        throw usageError('--to needs the folder to publish: faasport publish <dir> --to <reference>', USAGE);
      await publishServiceFile(resolve(values.config ?? 'serverless.yml'), values.function, values);
      return 0;
    }
    if (values.config || values.function || values.stage) {
      throw usageError(
        '-c/-s/-f publish from serverless.yml; they do not combine with a folder argument',
        USAGE,
      );
    }
    if (!values.to) throw usageError('missing --to <reference>', USAGE);
    const to = parseReference(values.to);
    if (to.digest !== undefined) {
      throw usageError(`--to ${values.to}: publish to a tag, not a digest (the digest is the result)`, USAGE);
    }
    if (source.startsWith('oci:') || (await isImageSource(source))) {
      const progress = progressReporter('push');
      try {
        const result = await publishImage(source, to, {
          insecure: values.insecure,
          onProgress: progress.onProgress,
        });
        progress.done();
        printResult(values.json, result, [
          ['reference', result.reference],
          ['digest', result.digest],
          ['shape', result.shape],
          ['sent', formatBytes(result.transferredBytes)],
        ]);
      } finally {
        progress.done();
      }
      return 0;
    }
    await publishOneFolder(source, to, values);
    return 0;
  },
};
