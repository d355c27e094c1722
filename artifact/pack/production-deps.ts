import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { UserError } from '../../common/errors';

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${join(dir, 'package.json')}: ${(error as Error).message}`, {
      hint: 'Fix the package.json (it must be valid JSON).',
    });
  }
}

/**
 * Node's lookup of `name` from package folder `from`: `<dir>/node_modules/<name>` for `from` and
 * each parent up to `root` (never above it, so nothing outside the function folder is packed).
 */
async function locate(name: string, from: string, root: string): Promise<string | undefined> {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (await readPackageJson(candidate)) return candidate;
    if (dir === root) return undefined;
    const parent = dirname(dir);
    // `from` is always below root; stop if the walk ever leaves it
    if (parent === dir || relative(root, parent).startsWith('..')) return undefined;
    dir = parent;
  }
}

/**
 * Packages that run the framework, never the function: faasport itself (users install it as a
 * regular dependency too, e.g. `npm install <tarball>`) and the Serverless Framework.
 */
export const FRAMEWORK_PACKAGES: readonly string[] = ['serverless-faasport', 'serverless', 'osls'];

/**
 * The package folders (relative to `root`, `/`-separated) that the function needs at run time:
 * the `dependencies` of root's package.json, transitively, as Node would resolve them from
 * `root/node_modules` (npm and yarn classic layouts). devDependencies are never followed;
 * optional dependencies and optional peers may be missing. The framework packages and `exclude`
 * (the service's plugins) are not roots: what only they need is left out, what the function's
 * own dependencies also need stays.
 */
export async function productionPackages(root: string, exclude: readonly string[] = []): Promise<string[]> {
  const tools = new Set([...FRAMEWORK_PACKAGES, ...exclude]);
  const manifest = await readPackageJson(root);
  if (!manifest) return [];
  const found = new Set<string>();
  const queue: Array<{ dir: string; pkg: PackageJson; chain: string }> = [
    { dir: root, pkg: manifest, chain: '' },
  ];
  while (queue.length > 0) {
    const { dir, pkg, chain } = queue.shift()!;
    const wanted: Array<[string, boolean]> = [
      ...Object.keys(pkg.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
      // peers are the installer's business: the ones present are packed, missing ones are fine
      ...Object.keys(pkg.peerDependencies ?? {}).map((name): [string, boolean] => [name, true]),
    ];
    for (const [name, optional] of wanted) {
      if (dir === root && tools.has(name)) continue;
      const location = await locate(name, dir, root);
      const via = chain ? `${chain} → ${name}` : name;
      if (!location) {
        if (optional) continue;
        throw new UserError(`dependency "${via}" is not installed in ${join(root, 'node_modules')}`, {
          hint: `Run "npm install --omit=dev" in ${root}, or set nodeModules to "none" if it is bundled.`,
        });
      }
      const key = relative(root, location).split(sep).join('/');
      if (found.has(key)) continue;
      found.add(key);
      queue.push({ dir: location, pkg: (await readPackageJson(location)) ?? {}, chain: via });
    }
  }
  return [...found].sort();
}
