import picomatch from 'picomatch';
import { UserError } from '../../common/errors';

/** What Serverless leaves out of every package, plus faasport's own state folder. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.git/**',
  '.gitignore',
  '.DS_Store',
  'npm-debug.log',
  'yarn-*.log',
  '.serverless/**',
  '.serverless_plugins/**',
  '.faasport/**',
];

/**
 * Serverless `package.patterns` semantics: everything is included, then each pattern in order
 * excludes (`!glob`) or re-includes (`glob`) the paths it matches; the last match wins.
 * Paths are relative, with `/` separators.
 */
export function createPathFilter(patterns: readonly string[] = []): (path: string) => boolean {
  const rules = [...DEFAULT_EXCLUDES.map((glob) => `!${glob}`), ...patterns].map((pattern) => {
    if (typeof pattern !== 'string' || pattern.trim() === '' || pattern === '!') {
      throw new UserError(`invalid package pattern ${JSON.stringify(pattern)}`, {
        hint: 'package.patterns entries are globs such as "src/**" or "!**/*.test.js".',
        exitCode: 2,
      });
    }
    const include = !pattern.startsWith('!');
    const glob = include ? pattern : pattern.slice(1);
    return { include, matches: picomatch(glob.replace(/^\.\//, ''), { dot: true }) };
  });
  return (path) => {
    let included = true;
    for (const rule of rules) if (rule.matches(path)) included = rule.include;
    return included;
  };
}
