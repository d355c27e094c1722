import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { digestOf } from '../../../../artifact/content/digest';
import { RegistryError, RegistryStore, staticCredentials } from '../../../../artifact/registry';
import { startProxy } from '../../../helpers/loopback-proxy';
import { services, uniqueRepository } from '../../../helpers/services';
import { makeArtefact, readAll, type TestArtefact } from './artefact';
import { countingFetch } from './counting-fetch';

const run = promisify(execFile);

function plainStore(repository: string, extra: Partial<ConstructorParameters<typeof RegistryStore>[0]> = {}) {
  return new RegistryStore({
    registry: services().registry.host,
    repository,
    credentials: staticCredentials({}),
    ...extra,
  });
}

async function pushArtefact(store: RegistryStore, artefact: TestArtefact, tag?: string): Promise<void> {
  await store.push(artefact.config.descriptor, artefact.config.bytes);
  // streamed from a factory, as the publisher does from disk
  await store.push(artefact.layer.descriptor, () => Readable.from([artefact.layer.bytes]));
  await store.push(artefact.manifest.descriptor, artefact.manifest.bytes);
  if (tag) await store.tag(artefact.manifest.descriptor, tag);
}

describe('RegistryStore against the plain registry', () => {
  test('pushes blobs and a manifest, resolves the tag and reads every byte back', async () => {
    const repository = uniqueRepository('store');
    const artefact = makeArtefact(64 * 1024);
    await pushArtefact(plainStore(repository), artefact, 'v1');

    const reader = plainStore(repository);
    expect(await reader.resolve('v1')).toEqual(artefact.manifest.descriptor);
    expect(await reader.resolve(artefact.manifest.descriptor.digest)).toEqual(artefact.manifest.descriptor);
    expect(await readAll(await reader.fetch(artefact.manifest.descriptor))).toEqual(artefact.manifest.bytes);
    expect(await readAll(await reader.fetch(artefact.layer.descriptor))).toEqual(artefact.layer.bytes);
    expect(await readAll(await reader.fetch(artefact.config.descriptor))).toEqual(artefact.config.bytes);
  });

  test('exists answers for blobs and manifests, present or not', async () => {
    const repository = uniqueRepository('exists');
    const artefact = makeArtefact();
    const store = plainStore(repository);
    expect(await store.exists(artefact.layer.descriptor)).toBe(false);
    await pushArtefact(store, artefact);
    expect(await store.exists(artefact.layer.descriptor)).toBe(true);
    expect(await store.exists(artefact.manifest.descriptor)).toBe(true);
    const other = makeArtefact();
    expect(await store.exists(other.manifest.descriptor)).toBe(false);
  });

  test('skips blobs the registry already has: a second push sends no upload', async () => {
    const repository = uniqueRepository('skip');
    const artefact = makeArtefact();
    await pushArtefact(plainStore(repository), artefact);
    const { fetch, requests } = countingFetch();
    const again = plainStore(repository, { fetch });
    await again.push(artefact.layer.descriptor, artefact.layer.bytes);
    expect(requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  test('tags a manifest pushed by another store instance (bytes fetched and re-put)', async () => {
    const repository = uniqueRepository('tag');
    const artefact = makeArtefact();
    await pushArtefact(plainStore(repository), artefact, 'first');
    const fresh = plainStore(repository);
    await fresh.tag(artefact.manifest.descriptor, 'second');
    expect((await fresh.resolve('second')).digest).toBe(artefact.manifest.descriptor.digest);
  });

  test('mounts a blob from another repository of the same registry, and reports a declined mount', async () => {
    const source = uniqueRepository('mount-from');
    const target = uniqueRepository('mount-to');
    const artefact = makeArtefact();
    await pushArtefact(plainStore(source), artefact);

    const store = plainStore(target);
    expect(await store.mount(artefact.layer.descriptor, source)).toBe(true);
    expect(await store.exists(artefact.layer.descriptor)).toBe(true);
    expect(await readAll(await store.fetch(artefact.layer.descriptor))).toEqual(artefact.layer.bytes);

    const absent = makeArtefact();
    expect(await store.mount(absent.layer.descriptor, source)).toBe(false);
    expect(await store.exists(absent.layer.descriptor)).toBe(false);
  });

  test('uploads a blob above the threshold in PATCH chunks tracked client-side', async () => {
    const repository = uniqueRepository('chunked');
    const artefact = makeArtefact(300 * 1024 + 17);
    const wire = await startProxy(services().registry.host, () => ({ kind: 'forward' }));
    try {
      const store = plainStore(repository, {
        registry: wire.host,
        chunkedUpload: { threshold: 100 * 1024, chunkSize: 64 * 1024 },
      });
      await store.push(artefact.layer.descriptor, () => Readable.from([artefact.layer.bytes]));
      const patches = wire.log.filter((r) => r.method === 'PATCH');
      expect(patches).toHaveLength(5); // 4 × 64 KiB + the remainder
      expect(patches.every((r) => r.upstreamStatus === 202)).toBe(true);
      const puts = wire.log.filter((r) => r.method === 'PUT');
      expect(puts).toHaveLength(1);
      expect(puts[0]?.search).toContain(`digest=${encodeURIComponent(artefact.layer.descriptor.digest)}`);
    } finally {
      await wire.stop();
    }
    expect(await readAll(await plainStore(repository).fetch(artefact.layer.descriptor))).toEqual(
      artefact.layer.bytes,
    );
  });

  test('refuses to upload bytes that do not match the descriptor, and nothing is committed', async () => {
    const repository = uniqueRepository('badsource');
    const artefact = makeArtefact();
    const store = plainStore(repository);
    const tampered = Buffer.from(artefact.layer.bytes);
    tampered[100] = (tampered[100] ?? 0) ^ 0xff;
    const error = await store.push(artefact.layer.descriptor, tampered).catch((e: unknown) => e);
    expect(String(error)).toMatch(/digest/);
    expect(String(error)).toContain(artefact.layer.descriptor.digest);
    expect(await store.exists(artefact.layer.descriptor)).toBe(false);
  });

  test('404s say whether the repository or the tag is missing', async () => {
    const repository = uniqueRepository('missing');
    const none = await plainStore(repository)
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(none).toBeInstanceOf(RegistryError);
    expect((none as RegistryError).status).toBe(404);
    expect((none as RegistryError).code).toBe('NAME_UNKNOWN');
    expect((none as RegistryError).message).toContain(
      `repository ${services().registry.host}/${repository} does not exist`,
    );

    await pushArtefact(plainStore(repository), makeArtefact(), 'v1');
    const tag = await plainStore(repository)
      .resolve('v2')
      .catch((e: unknown) => e);
    expect((tag as RegistryError).code).toBe('MANIFEST_UNKNOWN');
    expect((tag as RegistryError).message).toMatch(/no such tag or manifest/);
  });

  test('a manifest whose blobs are missing is refused with an actionable error', async () => {
    const repository = uniqueRepository('noblobs');
    const artefact = makeArtefact();
    const error = await plainStore(repository)
      .push(artefact.manifest.descriptor, artefact.manifest.bytes)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('MANIFEST_BLOB_UNKNOWN');
    expect((error as RegistryError).hint).toMatch(/before the manifest/);
  });
});

describe('interoperability with skopeo', () => {
  const skopeo = (...args: string[]) =>
    run(services().skopeo, ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });

  test('skopeo reads what we pushed, byte for byte', async () => {
    const repository = uniqueRepository('skopeo-read');
    const artefact = makeArtefact();
    await pushArtefact(plainStore(repository), artefact, 'v1');
    const { stdout } = await skopeo(
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${services().registry.host}/${repository}:v1`,
    );
    expect(digestOf(stdout)).toBe(artefact.manifest.descriptor.digest);
  });

  test('we resolve and verify what skopeo copied to another repository', async () => {
    const source = uniqueRepository('skopeo-src');
    const target = uniqueRepository('skopeo-dst');
    const artefact = makeArtefact(128 * 1024);
    await pushArtefact(plainStore(source), artefact, 'v1');
    const host = services().registry.host;
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${host}/${source}:v1`,
      `docker://${host}/${target}:copied`,
    );
    const store = plainStore(target);
    const resolved = await store.resolve('copied');
    expect(resolved.digest).toBe(artefact.manifest.descriptor.digest);
    const manifest = JSON.parse((await readAll(await store.fetch(resolved))).toString()) as {
      layers: { digest: string; size: number; mediaType: string }[];
    };
    const layer = manifest.layers[0];
    expect(layer?.digest).toBe(artefact.layer.descriptor.digest);
    if (!layer) throw new Error('no layer');
    expect(await readAll(await store.fetch(layer))).toEqual(artefact.layer.bytes);
  });
});

describe('the basic-auth registry', () => {
  test('pushes and pulls with the right credentials', async () => {
    const { host, username, password } = services().authRegistry;
    const repository = uniqueRepository('basic');
    const artefact = makeArtefact();
    const wire = await startProxy(host, () => ({ kind: 'forward' }));
    try {
      const credentials = staticCredentials({ [wire.host]: { username, password } });
      const store = new RegistryStore({ registry: wire.host, repository, credentials });
      await pushArtefact(store, artefact, 'v1');
      expect((await store.resolve('v1')).digest).toBe(artefact.manifest.descriptor.digest);
      expect(await readAll(await store.fetch(artefact.layer.descriptor))).toEqual(artefact.layer.bytes);
      // Basic goes up front once the registry asked for it: only the very first request went without
      expect(wire.log.filter((r) => !r.authorized)).toEqual([wire.log[0]]);
      expect(wire.log.filter((r) => r.method === 'PUT').length).toBeGreaterThanOrEqual(4);
    } finally {
      await wire.stop();
    }
  });

  test('wrong credentials give an actionable 401 that names the registry and never shows the password', async () => {
    const { host, username } = services().authRegistry;
    const secret = 'definitely-wrong-password-7731';
    const store = new RegistryStore({
      registry: host,
      repository: uniqueRepository('basic-wrong'),
      credentials: staticCredentials({ [host]: { username, password: secret } }),
    });
    const error = (await store.resolve('v1').catch((e: unknown) => e)) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.status).toBe(401);
    expect(error.message).toContain(`${host} rejected the credentials`);
    expect(error.hint).toContain(`docker login ${host}`);
    expect(`${error.message} ${error.hint} ${error.stack}`).not.toContain(secret);
  });

  test('no credentials: the 401 says none were found and where they are read from', async () => {
    const { host } = services().authRegistry;
    const store = new RegistryStore({
      registry: host,
      repository: uniqueRepository('basic-none'),
      credentials: staticCredentials({}),
    });
    const error = (await store.resolve('v1').catch((e: unknown) => e)) as RegistryError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('no credentials were found');
    expect(error.hint).toContain('the credentials passed in');
  });
});
