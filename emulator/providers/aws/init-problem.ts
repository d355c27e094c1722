import type { InitProblem } from '../../watch/hot-reload';
import type { LambdaInitError } from './runtime-api';

/**
 * Turns a runtime's init error document into something a person can act on, with the place in
 * their source (`fixtures/fn/aws.js:3`, or the file alone when there is no line) rather than in
 * the unpacked copy the instance ran — and never in the runtime itself or Node's loader.
 */
export function initProblem(error: LambdaInitError, codeDir: string): InitProblem {
  let document: { errorMessage?: string; trace?: string[]; stackTrace?: string[] } = {};
  try {
    document = JSON.parse(error.payload.toString('utf8'));
  } catch {
    // not JSON: the type alone still says what kind of failure it was
  }
  const lines = [...(document.trace ?? document.stackTrace ?? []), document.errorMessage ?? ''];
  const roots = [`${codeDir.replace(/\/+$/, '')}/`, '/var/task/', 'file:///var/task/', `file://${codeDir}/`];
  /** The path inside the function's code, or undefined for a file elsewhere (the runtime, Node). */
  const inCode = (path: string): string | undefined => {
    const root = roots.find((candidate) => path.startsWith(candidate));
    return root ? path.slice(root.length) : undefined;
  };
  let location: string | undefined;
  for (const line of lines) {
    const python = /\(([^\s(),]+\.py), line (\d+)\)/.exec(line);
    if (python?.[1]) {
      location = `${python[1].startsWith('/') ? (inCode(python[1]) ?? python[1]) : python[1]}:${python[2]}`;
      break;
    }
    // `/var/task/src/a.js:3`, `(file:///…/a.mjs:3:7)`, or a bare frame `at /var/task/a.js`
    const match =
      /((?:file:\/\/)?\/[^\s():]+):(\d+)/.exec(line) ??
      /^\s+at ((?:file:\/\/)?\/[^\s():]+\.[cm]?js)$/.exec(line);
    const file = match?.[1] ? inCode(match[1]) : undefined;
    if (!match || file === undefined) continue;
    location = match[2] ? `${file}:${match[2]}` : file;
    break;
  }
  return {
    errorType: error.errorType,
    message: (document.errorMessage ?? error.message).split('\n')[0] ?? error.errorType,
    ...(location ? { location } : {}),
  };
}
