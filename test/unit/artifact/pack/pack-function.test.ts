import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { digestOf } from '../../../../artifact/content/digest';
import { packFunction } from '../../../../artifact/pack/pack-function';
import { sourceDateEpoch } from '../../../../artifact/pack/zip-writer';

const run = promisify(execFile);
const scratch: string[] = [];
afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'faasport-pack-'));
  scratch.push(dir);
  return dir;
}

async function writeTree(
  root: string,
  files: Record<string, string>,
  order: 'forward' | 'reverse' = 'forward',
): Promise<void> {
  const entries = Object.entries(files);
  if (order === 'reverse') entries.reverse();
  for (const [path, content] of entries) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** zipinfo (Info-ZIP, an independent reader): one line per entry with mode, date and name. */
async function zipinfo(zip: string): Promise<string[]> {
  const { stdout } = await run('zipinfo', ['-T', '--h-t', zip]);
  return stdout.trim().split('\n');
}

async function pack(
  dir: string,
  extra: { patterns?: string[]; nodeModules?: 'production' | 'none'; epochSeconds?: number } = {},
) {
  const out = join(await tempDir(), 'function.zip');
  const result = await packFunction({ sourceDir: dir, outFile: out, ...extra });
  const bytes = await readFile(out);
  expect(digestOf(bytes)).toBe(result.digest);
  expect(bytes.length).toBe(result.size);
  return result;
}

const tree = {
  'handler.js': 'exports.handler = async () => ({ ok: true });\n',
  'lib/util.js': 'module.exports = 1;\n',
  'lib/deep/a.json': '{"a":1}',
  'README.md': '# fn\n',
  bin: '#!/bin/sh\necho hi\n',
};

describe('packFunction determinism', () => {
  it('gives byte-identical zips for the same files created in a different order', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, tree);
    await writeTree(b, tree, 'reverse');
    const first = await pack(a);
    const second = await pack(b);
    expect(second.digest).toBe(first.digest);
    expect(first.files).toEqual(['README.md', 'bin', 'handler.js', 'lib/deep/a.json', 'lib/util.js']);
  });

  it('is unchanged after every file was touched and read permissions changed', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const before = await pack(dir);
    const later = new Date('2031-05-06T07:08:09Z');
    for (const path of Object.keys(tree)) await utimes(join(dir, path), later, later);
    await chmod(join(dir, 'handler.js'), 0o600);
    await chmod(join(dir, 'lib/util.js'), 0o666);
    expect((await pack(dir)).digest).toBe(before.digest);
  });

  it('records 0644 for plain files and 0755 when any execute bit is set, at a fixed 1980 timestamp', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    await chmod(join(dir, 'bin'), 0o744);
    const before = await pack(dir);
    const lines = await zipinfo(before.path);
    expect(lines.find((line) => line.endsWith(' bin'))).toMatch(/^-rwxr-xr-x .* 19800101\.000000 bin$/);
    expect(lines.find((line) => line.endsWith(' handler.js'))).toMatch(
      /^-rw-r--r-- .* 19800101\.000000 handler\.js$/,
    );
    // the x bit is content: removing it changes the digest
    await chmod(join(dir, 'bin'), 0o644);
    expect((await pack(dir)).digest).not.toBe(before.digest);
  });

  it('honours SOURCE_DATE_EPOCH and does not depend on the time zone', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const epoch = sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' });
    expect(epoch).toBe(1_700_000_000);
    expect(sourceDateEpoch({})).toBe(315_532_800);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      process.env.SOURCE_DATE_EPOCH = '1700000000';
      const utc = await pack(dir);
      delete process.env.SOURCE_DATE_EPOCH;
      process.env.TZ = 'Pacific/Kiritimati';
      const kiritimati = await pack(dir, { epochSeconds: epoch });
      expect(kiritimati.digest).toBe(utc.digest);
      // 1700000000 = 2023-11-14T22:13:20Z; DOS time has 2-second resolution
      expect((await zipinfo(utc.path))[0]).toContain('20231114.221320');
      expect(utc.digest).not.toBe((await pack(dir)).digest);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('produces a zip that Info-ZIP tests clean and extracts to the same bytes', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const { path } = await pack(dir);
    await run('unzip', ['-tq', path]);
    const out = await tempDir();
    await run('unzip', ['-q', path, '-d', out]);
    for (const [file, content] of Object.entries(tree))
      expect(await readFile(join(out, file), 'utf8')).toBe(content);
  });
});

describe('packFunction patterns', () => {
  it('applies package.patterns in order after the default excludes', async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ...tree,
      'test/a.test.js': '',
      'lib/util.test.js': '',
      '.git/HEAD': 'ref',
      '.serverless/state.json': '{}',
      '.faasport/store/oci-layout': '{}',
      'serverless.yml': 'service: x',
      '.env': 'SECRET=1',
    });
    const { files } = await pack(dir, {
      patterns: ['!test/**', '!**/*.test.js', '!*.md', '!.env', 'README.md'],
    });
    expect(files).toEqual([
      'README.md',
      'bin',
      'handler.js',
      'lib/deep/a.json',
      'lib/util.js',
      'serverless.yml',
    ]);
  });

  it('can narrow to an allow-list', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const { files } = await pack(dir, { patterns: ['!**', 'handler.js', 'lib/**', '!lib/deep/**'] });
    expect(files).toEqual(['handler.js', 'lib/util.js']);
  });

  it('refuses to pack nothing and names a bad pattern', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    await expect(pack(dir, { patterns: ['!**'] })).rejects.toThrow(/nothing to pack/);
    await expect(pack(dir, { patterns: [''] })).rejects.toThrow(/invalid package pattern ""/);
    await expect(
      packFunction({ sourceDir: join(dir, 'missing'), outFile: join(dir, 'x.zip') }),
    ).rejects.toThrow(/does not exist/);
  });

  it('follows symlinks inside the folder and reports loops', async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    await symlink('lib', join(dir, 'alias'));
    const { files } = await pack(dir);
    expect(files).toContain('alias/util.js');
    await symlink('..', join(dir, 'lib/up'));
    await expect(pack(dir)).rejects.toThrow(/symlink loop/);
  });
});

describe('packFunction node_modules', () => {
  const pkg = (name: string, deps: Record<string, string> = {}, extra: object = {}) =>
    JSON.stringify({ name, version: '1.0.0', dependencies: deps, ...extra });

  async function project(): Promise<string> {
    const dir = await tempDir();
    await writeTree(dir, {
      'handler.js': 'require("a")',
      'package.json': JSON.stringify({
        name: 'fn',
        dependencies: { a: '1', '@scope/b': '1' },
        optionalDependencies: { 'not-installed': '1' },
        devDependencies: { vitest: '1' },
      }),
      'node_modules/a/package.json': pkg('a', { c: '1' }),
      'node_modules/a/index.js': 'require("c")',
      // a needs c@2, nested; the hoisted c@1 belongs to @scope/b
      'node_modules/a/node_modules/c/package.json': pkg('c'),
      'node_modules/a/node_modules/c/v2.js': '',
      'node_modules/@scope/b/package.json': pkg('@scope/b', { c: '1' }),
      'node_modules/c/package.json': pkg('c'),
      'node_modules/c/v1.js': '',
      'node_modules/vitest/package.json': pkg('vitest', { 'dev-only': '1' }),
      'node_modules/dev-only/package.json': pkg('dev-only'),
      'node_modules/unused/package.json': pkg('unused'),
      'node_modules/.bin/vitest': '',
    });
    return dir;
  }

  it('packs production dependencies transitively and leaves devDependencies out', async () => {
    const { files } = await pack(await project());
    expect(files).toEqual([
      'handler.js',
      'node_modules/@scope/b/package.json',
      'node_modules/a/index.js',
      'node_modules/a/node_modules/c/package.json',
      'node_modules/a/node_modules/c/v2.js',
      'node_modules/a/package.json',
      'node_modules/c/package.json',
      'node_modules/c/v1.js',
      'package.json',
    ]);
  });

  it('packs no node_modules when asked, and applies patterns to dependencies too', async () => {
    const dir = await project();
    expect((await pack(dir, { nodeModules: 'none' })).files).toEqual(['handler.js', 'package.json']);
    expect((await pack(dir, { patterns: ['!node_modules/**/package.json'] })).files).not.toContain(
      'node_modules/c/package.json',
    );
  });

  it('never packs faasport, the framework or the service plugins, nor what only they need', async () => {
    // What `npm install <faasport tarball>` (a regular dependency) and a plugin leave behind.
    const dir = await tempDir();
    await writeTree(dir, {
      'handler.js': 'require("shared")',
      'package.json': JSON.stringify({
        name: 'svc',
        dependencies: {
          shared: '1',
          'serverless-faasport': 'file:../faasport.tgz',
          'serverless-offline': '13',
        },
      }),
      'node_modules/shared/package.json': pkg('shared'),
      'node_modules/shared/index.js': '',
      'node_modules/serverless-faasport/package.json': pkg('serverless-faasport', {
        dockerode: '4',
        shared: '1',
      }),
      'node_modules/serverless-faasport/dist/index.js': '',
      'node_modules/dockerode/package.json': pkg('dockerode', { ssh2: '1' }),
      'node_modules/ssh2/package.json': pkg('ssh2'),
      'node_modules/serverless-offline/package.json': pkg('serverless-offline', { hapi: '1' }),
      'node_modules/hapi/package.json': pkg('hapi'),
    });
    expect((await pack(dir)).files.filter((f) => f.startsWith('node_modules/'))).toEqual([
      'node_modules/hapi/package.json',
      'node_modules/serverless-offline/package.json',
      'node_modules/shared/index.js',
      'node_modules/shared/package.json',
    ]);
    const out = join(await tempDir(), 'fn.zip');
    const withPlugins = await packFunction({
      sourceDir: dir,
      outFile: out,
      excludePackages: ['serverless-offline'],
    });
    expect(withPlugins.files.filter((f) => f.startsWith('node_modules/'))).toEqual([
      'node_modules/shared/index.js',
      'node_modules/shared/package.json',
    ]);
  });

  it('names a missing production dependency and how it was reached', async () => {
    const dir = await project();
    await rm(join(dir, 'node_modules/c'), { recursive: true });
    await expect(pack(dir)).rejects.toThrow(/dependency "@scope\/b → c" is not installed/);
  });
});

afterEach(() => {
  delete process.env.SOURCE_DATE_EPOCH;
});
