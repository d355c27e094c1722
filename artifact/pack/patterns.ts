import picomatch from 'picomatch';
import { UserError } from '../../common/errors';
import { LOCAL_STATE_DIR } from '../../common/local-state';

/** What Serverless leaves out of every package, plus faasport's own state folder. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.git/**',
  '.gitignore',
  '.DS_Store',
  'npm-debug.log',
  'yarn-*.log',
  '.serverless/**',
  '.serverless_plugins/**',
  `${LOCAL_STATE_DIR}/**`,
];

interface Rule {
  include: boolean;
  glob: string;
  matches: (path: string) => boolean;
}

function compileRules(patterns: readonly string[]): Rule[] {
  return [...DEFAULT_EXCLUDES.map((glob) => `!${glob}`), ...patterns].map((pattern) => {
    if (typeof pattern !== 'string' || pattern.trim() === '' || pattern === '!') {
      throw new UserError(`invalid package pattern ${JSON.stringify(pattern)}`, {
        hint: 'package.patterns entries are globs such as "src/**" or "!**/*.test.js".',
        exitCode: 2,
      });
    }
    const include = !pattern.startsWith('!');
    const glob = (include ? pattern : pattern.slice(1)).replace(/^\.\//, '');
    return { include, glob, matches: picomatch(glob, { dot: true }) };
  });
}

/**
 * Serverless `package.patterns` semantics: everything is included, then each pattern in order
 * excludes (`!glob`) or re-includes (`glob`) the paths it matches; the last match wins.
 * Paths are relative, with `/` separators.
 */
export function createPathFilter(patterns: readonly string[] = []): (path: string) => boolean {
  const rules = compileRules(patterns);
  return (path) => {
    let included = true;
    for (const rule of rules) if (rule.matches(path)) included = rule.include;
    return included;
  };
}

/** `dir` and `base` lie on one line of ancestry (either holds the other, or they are equal). */
function related(dir: string, base: string): boolean {
  return base === '' || dir === base || dir.startsWith(`${base}/`) || base.startsWith(`${dir}/`);
}

/**
 * Which folders the walk may skip whole: those an exclusion like `!**` or `!src/**` covers and
 * that no later re-include could reach into (judged by the literal folder the glob starts with).
 * Conservative: when unsure, the folder is walked and the path filter decides file by file. This
 * keeps `"!**"` + `"src/**"` from listing every dependency of a large project only to drop them.
 */
export function createFolderPruner(patterns: readonly string[] = []): (dir: string) => boolean {
  const rules = compileRules(patterns).map((rule) => ({ ...rule, base: picomatch.scan(rule.glob).base }));
  return (dir) => {
    let covered = false;
    for (const { include, glob, base } of rules) {
      if (include) {
        if (related(dir, base)) covered = false;
      } else if (glob === '**' || (glob === `${base}/**` && (dir === base || dir.startsWith(`${base}/`)))) {
        covered = true;
      }
    }
    return covered;
  };
}
