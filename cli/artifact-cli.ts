import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CopyProgress } from '../artifact/copy';
import { hostPlatform, type PlatformWanted, parsePlatform } from '../artifact/manifest/platform';
import { parseReference, type Reference } from '../artifact/reference';
import { UserError } from '../common/errors';

/** The help lines of `commonOptions`. */
export const COMMON_OPTION_LINES = [
  '  --json                  print one JSON object on stdout',
  '  --insecure              allow plain HTTP to a registry that is not on loopback',
  '  -h, --help              this help',
].join('\n');

/** Flags every artefact command understands. */
export const commonOptions = {
  json: { type: 'boolean', default: false },
  insecure: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** node:util parseArgs, with its errors turned into usage errors (exit code 2). */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError((error as Error).message, { hint: usage, exitCode: 2 });
  }
}

export function usageError(message: string, usage: string): UserError {
  return new UserError(message, { hint: usage, exitCode: 2 });
}

export function referenceArgument(value: string | undefined, what: string, usage: string): Reference {
  if (value === undefined || value === '') throw usageError(`missing ${what}`, usage);
  return parseReference(value);
}

export function platformOption(value: string | undefined): PlatformWanted {
  return value === undefined ? hostPlatform() : parsePlatform(value);
}

/** `--json`: exactly one JSON object on stdout. Otherwise aligned `key: value` lines. */
export function printResult(
  json: boolean,
  result: object,
  lines: Array<[string, string | number | undefined]>,
): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const shown = lines.filter((line): line is [string, string | number] => line[1] !== undefined);
  const width = Math.max(...shown.map(([key]) => key.length));
  const text = shown.map(([key, value]) =>
    value === '' ? `${key}:` : `${`${key}:`.padEnd(width + 2)}${value}`,
  );
  process.stdout.write(`${text.join('\n')}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const PROGRESS_THRESHOLD = 1_000_000;

/**
 * A progress line with bytes/s on stderr, only on a TTY and only for transfers over 1 MB (so
 * pipes, CI logs and --json output stay clean). Call `done()` to end the line.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let shown = false;
  let lastDraw = 0;
  const onProgress = (progress: CopyProgress): void => {
    if (!stream.isTTY || progress.total <= PROGRESS_THRESHOLD) return;
    const now = Date.now();
    if (now - lastDraw < 100 && progress.done < progress.total) return;
    lastDraw = now;
    const seconds = Math.max((now - started) / 1000, 0.001);
    const rate = formatBytes(progress.done / seconds);
    stream.write(`\r${label} ${formatBytes(progress.done)} / ${formatBytes(progress.total)}  ${rate}/s  `);
    shown = true;
  };
  return {
    onProgress,
    done(): void {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}
