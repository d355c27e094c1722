import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../../artifact/content/digest';
import { RegistryStore } from '../../../artifact/registry';
import { packageRoot } from '../../../common/package-info';
import { type ProxiedRequest, type ProxyAction, startProxy } from '../../helpers/loopback-proxy';
import { run } from '../../helpers/run';
import { services, uniqueRepository } from '../../helpers/services';
import { tempDir } from '../../helpers/temp-dir';

const cli = join(packageRoot, 'bin', 'faasport.js');

beforeAll(async () => {
  // the CLI runs from dist/: compile what is there now
  const build = await run(
    process.execPath,
    [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: packageRoot,
      timeoutMs: 240_000,
    },
  );
  expect(build.code, build.stdout + build.stderr).toBe(0);
});

async function faasport(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, cwd: packageRoot });
}

/** Runs the CLI with --json and returns the one object it printed. */
async function faasportJson<T = Record<string, unknown>>(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<T> {
  const result = await faasport([...args, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function skopeo(args: string[]): Promise<string> {
  const result = await run(services().skopeo, args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function functionFolder(): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'lib'));
  await writeFile(join(dir, 'handler.js'), 'exports.handler = async () => require("./lib/greet")();\n');
  await writeFile(join(dir, 'lib/greet.js'), 'module.exports = () => "hello";\n');
  await writeFile(join(dir, 'notes.md'), 'not for production');
  return dir;
}

async function listTree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, await listTree(dir, path));
    else files[path] = await readFile(join(dir, path), 'utf8');
  }
  return files;
}

describe('faasport publish / inspect / pull / copy against the rig registry', () => {
  it('publishes a folder that skopeo reads, re-publishes unchanged as a no-op, and pulls identical files', async () => {
    const { registry } = services();
    const dir = await functionFolder();
    const ref = `${registry.host}/${uniqueRepository('cli')}:v1`;

    const first = await faasportJson<{
      reference: string;
      digest: string;
      shape: string;
      uploadedBytes: number;
      layer: { digest: string };
    }>(['publish', dir, '--to', ref, '--pattern', '!*.md']);
    expect(first).toMatchObject({ reference: `${ref}@${first.digest}`, shape: 'zip' });
    expect(first.uploadedBytes).toBeGreaterThan(0);

    const raw = await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${ref}`]);
    expect(digestOf(raw)).toBe(first.digest);
    const manifest = JSON.parse(raw);
    expect(manifest.artifactType).toBe('application/vnd.faasport.function.v1+zip');
    expect(manifest.annotations).toBeUndefined();
    expect(manifest.layers).toEqual([
      expect.objectContaining({ mediaType: 'application/zip', digest: first.layer.digest }),
    ]);

    // touch everything: same digest, nothing uploaded
    const later = new Date('2030-01-01T00:00:00Z');
    for (const file of ['handler.js', 'lib/greet.js', 'notes.md'])
      await utimes(join(dir, file), later, later);
    const second = await faasportJson<{ digest: string; uploadedBytes: number }>([
      'publish',
      dir,
      '--to',
      ref,
      '--pattern',
      '!*.md',
    ]);
    expect(second.digest).toBe(first.digest);
    expect(second.uploadedBytes).toBe(0);

    const out = join(await tempDir(), 'pulled');
    const pulled = await faasportJson<{ digest: string; shape: string; files: number }>([
      'pull',
      ref,
      '--out',
      out,
    ]);
    expect(pulled).toMatchObject({ digest: first.digest, shape: 'zip', files: 2 });
    const original = await listTree(dir);
    delete original['notes.md'];
    expect(await listTree(out)).toEqual(original);

    const info = await faasportJson<{
      shape: string;
      digest: string;
      clouds: Record<string, { accepted: boolean }>;
    }>(['inspect', ref]);
    expect(info).toMatchObject({
      shape: 'zip',
      digest: first.digest,
      clouds: { aws: { accepted: true }, azure: { accepted: true }, gcp: { accepted: true } },
    });
  });

  it('copies to another repository (mounted), to the auth registry and to a layout, digests preserved', async () => {
    const { registry, authRegistry } = services();
    const dir = await functionFolder();
    const ref = `${registry.host}/${uniqueRepository('copy-src')}:v1`;
    const { digest } = await faasportJson<{ digest: string }>(['publish', dir, '--to', ref]);

    const sameRegistry = `${registry.host}/${uniqueRepository('copy-dst')}:v2`;
    const copied = await faasportJson<{ digest: string; mounted: number; shape: string }>([
      'copy',
      ref,
      sameRegistry,
    ]);
    expect(copied).toMatchObject({ digest, shape: 'zip', mounted: 2 });
    expect(
      digestOf(await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${sameRegistry}`])),
    ).toBe(digest);

    const dockerConfig = await tempDir();
    const auth = Buffer.from(`${authRegistry.username}:${authRegistry.password}`).toString('base64');
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [authRegistry.host]: { auth } } }),
    );
    const otherRegistry = `${authRegistry.host}/${uniqueRepository('copy-auth')}:v1`;
    const toAuth = await faasportJson<{ digest: string }>(['copy', ref, otherRegistry], {
      DOCKER_CONFIG: dockerConfig,
    });
    expect(toAuth.digest).toBe(digest);
    const authRaw = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--creds',
      `${authRegistry.username}:${authRegistry.password}`,
      '--raw',
      `docker://${otherRegistry}`,
    ]);
    expect(digestOf(authRaw)).toBe(digest);

    const layout = join(await tempDir(), 'layout');
    await faasportJson(['copy', ref, `oci:${layout}:v1`]);
    expect(digestOf(await skopeo(['inspect', '--raw', `oci:${layout}:v1`]))).toBe(digest);
  });

  it('accepts an ORAS-shaped artefact (created annotation, zip layer typed as a tar)', async () => {
    const { registry } = services();
    const repository = uniqueRepository('oras');
    const store = new RegistryStore({ registry: registry.host, repository });
    const dir = await functionFolder();
    const layout = join(await tempDir(), 'layout');
    await faasportJson(['publish', dir, '--to', `oci:${layout}:src`]);
    const zipDigest = JSON.parse(await skopeo(['inspect', '--raw', `oci:${layout}:src`])).layers[0]
      .digest as string;
    const zip = await readFile(join(layout, 'blobs/sha256', zipDigest.slice(7)));
    const config = Buffer.from('{}');
    const layer = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
      digest: zipDigest,
      size: zip.length,
      annotations: { 'org.opencontainers.image.title': 'function.zip' },
    };
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.unknown.artifact.v1',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: digestOf(config),
          size: 2,
          data: 'e30=',
        },
        layers: [layer],
        annotations: { 'org.opencontainers.image.created': new Date().toISOString() },
      }),
    );
    const manifestDescriptor = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(manifest),
      size: manifest.length,
    };
    await store.push(
      { mediaType: 'application/vnd.oci.empty.v1+json', digest: digestOf(config), size: 2 },
      config,
    );
    await store.push(layer, zip);
    await store.push(manifestDescriptor, manifest);
    await store.tag(manifestDescriptor, 'oras');

    const ref = `${registry.host}/${repository}:oras`;
    const info = await faasportJson<{ shape: string; artifactType: string }>(['inspect', ref]);
    expect(info).toMatchObject({ shape: 'zip', artifactType: 'application/vnd.unknown.artifact.v1' });
    const out = join(await tempDir(), 'out');
    await faasportJson(['pull', ref, '--out', out]);
    expect(await readFile(join(out, 'handler.js'), 'utf8')).toContain('exports.handler');
  });

  it('publishes a docker save tarball as an image that inspect says GCP refuses', async () => {
    const { registry, runtimeImages } = services();
    const image =
      Object.values(runtimeImages).find((tag) => tag.includes('python')) ?? Object.values(runtimeImages)[0]!;
    const tarball = join(await tempDir(), 'image.tar');
    const saved = await run('docker', ['save', image, '-o', tarball]);
    expect(saved.code, saved.stderr).toBe(0);
    const ref = `${registry.host}/${uniqueRepository('image')}:1`;
    const published = await faasportJson<{ digest: string; shape: string }>([
      'publish',
      tarball,
      '--to',
      ref,
    ]);
    expect(published.shape).toBe('image');
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${ref}`]));
    expect(inspected).toMatchObject({ Digest: published.digest, Os: 'linux' });
    const info = await faasportJson<{
      shape: string;
      clouds: Record<string, { accepted: boolean; note: string }>;
    }>(['inspect', ref]);
    expect(info.shape).toBe('image');
    expect(info.clouds.gcp).toMatchObject({ accepted: false, note: expect.stringContaining('refused') });
    expect(info.clouds.aws?.accepted).toBe(true);
    const human = await faasport(['inspect', ref]);
    expect(human.stdout).toMatch(/gcp:\s+no \(refused/);
  });

  it('publishes every function of a serverless.yml, copying to a target registry that differs', async () => {
    const { registry, authRegistry } = services();
    const dir = await functionFolder();
    const repository = uniqueRepository('sls');
    const dockerConfig = await tempDir();
    const auth = Buffer.from(`${authRegistry.username}:${authRegistry.password}`).toString('base64');
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [authRegistry.host]: { auth } } }),
    );
    await writeFile(
      join(dir, 'serverless.yml'),
      [
        'service: demo',
        'provider:',
        '  name: faasport',
        '  targets:',
        '    aws: { region: us-east-1 }',
        `    azure: { registry: "${authRegistry.host}" }`,
        'package:',
        '  patterns: ["!notes.md", "!serverless.yml"]',
        'functions:',
        '  hello:',
        `    sourceArtifact: ${registry.host}/${repository}:hello`,
        '  local:',
        // a variable, resolved as `faasport emulate -c` resolves it
        `    sourceArtifact: \${self:custom.localStore}:local`,
        '    targets: [aws]',
        'custom:',
        '  localStore: oci:.faasport/store',
      ].join('\n'),
    );
    const result = await faasportJson<{
      functions: Array<{ function: string; reference: string; digest: string; shape: string }>;
    }>(['publish', '-c', join(dir, 'serverless.yml')], { DOCKER_CONFIG: dockerConfig });
    expect(
      result.functions.map((entry) => [entry.function, entry.reference.split('@')[0], entry.shape]),
    ).toEqual([
      ['hello', `${registry.host}/${repository}:hello`, 'zip'],
      ['hello', `${authRegistry.host}/${repository}:hello`, 'zip'],
      ['local', `oci:.faasport/store:local`, 'zip'],
    ]);
    const digests = new Set(result.functions.map((entry) => entry.digest));
    expect(digests.size).toBe(1); // same source, same patterns: one artefact everywhere
    expect(digestOf(await skopeo(['inspect', '--raw', `oci:${join(dir, '.faasport/store')}:local`]))).toBe(
      [...digests][0],
    );

    const only = await faasportJson<{ functions: unknown[] }>([
      'publish',
      '-c',
      join(dir, 'serverless.yml'),
      '-f',
      'local',
    ]);
    expect(only.functions).toHaveLength(1);
  });

  it('falls back once to the image-spec 1.0 shape when the registry refuses artifactType', async () => {
    const { registry } = services();
    const proxy = await refusingProxy(registry.host);
    try {
      const dir = await functionFolder();
      const ref = `${proxy.host}/${uniqueRepository('fallback')}:v1`;
      const published = await faasportJson<{ digest: string; manifestShape: string }>([
        'publish',
        dir,
        '--to',
        ref,
      ]);
      expect(published.manifestShape).toBe('v1.0');
      expect(proxy.refused).toBe(1);
      const raw = JSON.parse(await skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${ref}`]));
      expect(raw.artifactType).toBeUndefined();
      expect(raw.config.mediaType).toBe('application/vnd.faasport.function.v1+zip');
      const info = await faasportJson<{ shape: string; digest: string }>(['inspect', ref]);
      expect(info).toMatchObject({ shape: 'zip', digest: published.digest });
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });

  it('pull and copy resume a blob download that breaks off, and say which blob and registry when it keeps breaking', async () => {
    const { registry } = services();
    const repository = uniqueRepository('cut');
    const published = await faasportJson<{ layer: { digest: string } }>([
      'publish',
      await functionFolder(),
      '--to',
      `${registry.host}/${repository}:v1`,
    ]);
    const isLayerGet = (r: ProxiedRequest) =>
      r.method === 'GET' && r.path.endsWith(`/blobs/${published.layer.digest}`);
    // the first pull is cut once after 100 bytes; then every answer is cut after its first byte
    let cutAfter: number | undefined = 100;
    const proxy = await startProxy(registry.host, (r) => {
      if (!isLayerGet(r) || cutAfter === undefined) return { kind: 'forward' };
      const action: ProxyAction = { kind: 'forward', cutAfter };
      if (cutAfter === 100) cutAfter = undefined;
      return action;
    });
    try {
      const out = join(await tempDir(), 'out');
      const pulled = await faasport(['pull', `${proxy.host}/${repository}:v1`, '--out', out]);
      expect(pulled.code, pulled.stderr).toBe(0);
      expect(Object.keys(await listTree(out)).sort()).toEqual(['handler.js', 'lib/greet.js', 'notes.md']);
      expect(proxy.log.filter(isLayerGet).map((r) => r.range)).toEqual([undefined, 'bytes=100-']);

      cutAfter = 1;
      const parent = await tempDir();
      const failed = await faasport(['pull', `${proxy.host}/${repository}:v1`, '--out', join(parent, 'out')]);
      const copied = await faasport([
        'copy',
        `${proxy.host}/${repository}:v1`,
        `${registry.host}/${uniqueRepository('cut-copy')}:v1`,
      ]);
      for (const result of [failed, copied]) {
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(
          `the download of blob ${published.layer.digest} from ${proxy.host}/${repository} broke off on each of 5 attempts`,
        );
        expect(result.stderr).not.toContain('internal error');
      }
      expect(await readdir(parent)).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('explains bad input without a stack trace', async () => {
    const bad = await faasport(['inspect', '127.0.0.1:5000/Team/fn:v1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('repository component "Team" must be lowercase');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const missing = await faasport(['pull', `${services().registry.host}/nobody/here:v1`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --out');
    const noTarget = await faasport(['publish', await functionFolder()]);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('missing --to');
  });
});

/** A loopback proxy to the registry that answers 405 to manifests carrying artifactType, as ECR did. */
async function refusingProxy(upstream: string): Promise<{ server: Server; host: string; refused: number }> {
  const [upstreamHost, upstreamPort] = upstream.split(':');
  const state = { refused: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'PUT' && req.url?.includes('/manifests/') && body.includes('"artifactType"')) {
        state.refused++;
        res.writeHead(405, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ code: 'UNSUPPORTED', message: 'artifactType is not supported' }] }),
        );
        return;
      }
      const forward = request(
        {
          host: upstreamHost,
          port: Number(upstreamPort),
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamResponse) => {
          const headers = { ...upstreamResponse.headers };
          // keep the client on the proxy: rewrite absolute upload locations
          if (typeof headers.location === 'string')
            headers.location = headers.location.replace(`//${upstream}`, `//${host}`);
          res.writeHead(upstreamResponse.statusCode ?? 502, headers);
          upstreamResponse.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    host,
    get refused() {
      return state.refused;
    },
  };
}
