import type { InitProblem } from '../../watch/hot-reload';
import type { LambdaInitError } from './runtime-api';

/**
 * Turns a runtime's init error document into something a person can act on, with the place in
 * their source (`fixtures/fn/aws.js:3`) rather than in the unpacked copy the instance ran.
 */
export function initProblem(error: LambdaInitError, codeDir: string): InitProblem {
  let document: { errorMessage?: string; trace?: string[]; stackTrace?: string[] } = {};
  try {
    document = JSON.parse(error.payload.toString('utf8'));
  } catch {
    // not JSON: the type alone still says what kind of failure it was
  }
  const lines = [...(document.trace ?? document.stackTrace ?? []), document.errorMessage ?? ''];
  const roots = [`${codeDir.replace(/\/+$/, '')}/`, '/var/task/', 'file://'];
  let location: string | undefined;
  for (const line of lines) {
    const match =
      /((?:file:\/\/)?\/[^\s():]+):(\d+)/.exec(line) ?? /\(([^\s(),]+\.py), line (\d+)\)/.exec(line);
    if (!match) continue;
    let file = match[1] ?? '';
    for (const root of roots) if (file.startsWith(root)) file = file.slice(root.length);
    for (const root of roots) if (file.startsWith(root)) file = file.slice(root.length);
    location = `${file}:${match[2]}`;
    break;
  }
  return {
    errorType: error.errorType,
    message: (document.errorMessage ?? error.message).split('\n')[0] ?? error.errorType,
    ...(location ? { location } : {}),
  };
}
