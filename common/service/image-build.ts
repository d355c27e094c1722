import { isAbsolute } from 'node:path';
import { UserError } from '../errors';

/**
 * `functions.<fn>.image`: how the emulator rebuilds a container-image function while it runs.
 * The command is an argument list, run without a shell from the service folder.
 */
export interface ImageBuildSettings {
  /** argv: the program, then its arguments (`[docker, build, -t, <ref>, <context>]`). */
  build: string[];
  /** Globs relative to the service folder whose changes start a build; undefined = the default. */
  watch: string[] | undefined;
  /** The image reference the build tags; undefined = the function's sourceArtifact. */
  tag: string | undefined;
}

const KEYS = ['build', 'watch', 'tag'];

const EXAMPLE = (key: string) =>
  `For example:\n  functions:\n    ${key}:\n      packageType: image\n      image:\n        build: [docker, build, -t, 127.0.0.1:5000/team/${key}:dev, .]\n        watch: ['src/**', Dockerfile]`;

/**
 * Reads and checks `functions.<key>.image` as written; undefined when absent. Every mistake is a
 * UserError naming the field, so the CLI (which has no framework schema) fails as clearly as `sls`.
 */
export function imageBuildOf(
  key: string,
  raw: Record<string, unknown>,
  file: string,
): ImageBuildSettings | undefined {
  const value = raw.image;
  if (value === undefined) return undefined;
  const path = `functions.${key}.image`;
  const fail = (field: string, expected: string): never => {
    throw new UserError(`${file}: ${field} ${expected}`, { hint: EXAMPLE(key), exitCode: 2 });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(
      path,
      'must be an object with `build` (the command that builds the image) and optional `watch`, `tag`',
    );
  const settings = value as Record<string, unknown>;
  const unknown = Object.keys(settings).find((field) => !KEYS.includes(field));
  if (unknown !== undefined)
    fail(`${path}.${unknown}`, `is not a setting (expected one of ${KEYS.join(', ')})`);
  if (raw.packageType !== 'image')
    fail(path, 'applies to container-image functions only: add `packageType: image` to the function');

  const { build, watch, tag } = settings;
  if (typeof build === 'string')
    fail(
      `${path}.build`,
      'must be a list of arguments, not a string: it runs without a shell, so write each argument as its own item',
    );
  if (!isStringList(build)) fail(`${path}.build`, 'must be a non-empty list of non-empty strings');
  // serverless@3's validator turns a string into a one-item list: catch the command line it was.
  const [program = ''] = build as string[];
  if ((build as string[]).length === 1 && /\s/.test(program.trim()))
    fail(
      `${path}.build`,
      `must list the program and each argument as separate items ("${program}" is one item): it runs without a shell`,
    );
  if (watch !== undefined) {
    if (!isStringList(watch)) fail(`${path}.watch`, 'must be a non-empty list of globs');
    (watch as string[]).forEach((glob, index) => {
      const bare = glob.replace(/^!/, '');
      if (isAbsolute(bare) || bare.split('/').includes('..'))
        fail(`${path}.watch[${index}]`, `must be relative to the service folder, inside it (got "${glob}")`);
    });
  }
  if (tag !== undefined && (typeof tag !== 'string' || !/^\S+$/.test(tag)))
    fail(`${path}.tag`, 'must be an image reference such as 127.0.0.1:5000/team/api:dev');
  return {
    build: [...(build as string[])],
    watch: watch === undefined ? undefined : [...(watch as string[])],
    tag: tag as string | undefined,
  };
}

function isStringList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '')
  );
}
