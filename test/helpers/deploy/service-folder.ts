import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openStore } from '../../../artifact/open-store';
import { type PublishedFolder, publishFolder } from '../../../artifact/publish/publish-folder';
import { parseReference } from '../../../artifact/reference';
import { tempDir } from '../temp-dir';

/**
 * A service folder for the current test (removed when it finishes): an `fn/` folder, the `files`
 * given (paths relative to the folder), then `serverless.yml`.
 */
export async function serviceFolder(
  prefix: string,
  serverlessYml: string,
  files: Record<string, string> = {},
): Promise<string> {
  const dir = await tempDir(prefix);
  await mkdir(join(dir, 'fn'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await writeFile(join(dir, 'serverless.yml'), serverlessYml);
  return dir;
}

/**
 * Publishes the files of `dir` that `patterns` select as the artefact `reference` (a registry
 * reference, or `oci:<layout>:<tag>` relative to `dir`), as `faasport publish` would.
 */
export async function publishFiles(
  dir: string,
  reference: string,
  patterns: string[],
): Promise<PublishedFolder> {
  const parsed = parseReference(reference);
  return publishFolder(
    openStore(parsed, { baseDir: dir }),
    { sourceDir: dir, patterns, nodeModules: 'none' },
    parsed.tag,
  );
}
