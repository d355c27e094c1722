import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DigestMismatchError } from '../../../../artifact/content/digest';
import { copyArtifact } from '../../../../artifact/copy';
import { pullArtifact } from '../../../../artifact/pull';
import { parseReference } from '../../../../artifact/reference';
import { RegistryStore, staticCredentials } from '../../../../artifact/registry';
import { LayoutStore } from '../../../../artifact/store/layout-store';
import { UserError } from '../../../../common/errors';
import {
  type LoopbackProxy,
  type ProxiedRequest,
  type ProxyAction,
  startProxy,
} from '../../../helpers/loopback-proxy';
import { services, uniqueRepository } from '../../../helpers/services';
import { tempDir } from '../../../helpers/temp-dir';
import { makeArtefact, readAll, type TestArtefact } from './artefact';

// Blob downloads that break off half-way (a reset, or a body that simply ends short) through a
// proxy in front of the real registry: resumed with Range, restarted when the registry ignores
// Range, verified end to end, and given up on with a clear error after the last attempt.
const SIZE = 200 * 1024;
let proxy: LoopbackProxy | undefined;
let artefact: TestArtefact;
let repository: string;

beforeAll(async () => {
  repository = uniqueRepository('resume');
  artefact = makeArtefact(SIZE);
  const direct = store(services().registry.host);
  await direct.push(artefact.config.descriptor, artefact.config.bytes);
  await direct.push(artefact.layer.descriptor, artefact.layer.bytes);
  await direct.push(artefact.manifest.descriptor, artefact.manifest.bytes);
  await direct.tag(artefact.manifest.descriptor, 'v1');
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

function store(host: string, repo = repository) {
  return new RegistryStore({
    registry: host,
    repository: repo,
    credentials: staticCredentials({}),
    retry: { baseDelayMs: 10, maxAttempts: 4 },
  });
}

const isBlobGet = (r: ProxiedRequest) =>
  r.method === 'GET' && r.path.endsWith(`/blobs/${artefact.layer.descriptor.digest}`);

/** `faults[i]` for the i-th blob GET of the layer; everything else forwarded untouched. */
function onBlobGets(faults: ProxyAction[]) {
  let seen = 0;
  return (request: ProxiedRequest): ProxyAction =>
    isBlobGet(request) ? (faults[seen++] ?? { kind: 'forward' }) : { kind: 'forward' };
}

const blobGets = () => proxy?.log.filter(isBlobGet) ?? [];

describe('a blob download that breaks off', () => {
  test('is resumed with Range after resets and a truncated body, and the bytes are whole', async () => {
    proxy = await startProxy(
      services().registry.host,
      onBlobGets([
        { kind: 'forward', cutAfter: 50_000 },
        { kind: 'forward', endAfter: 30_000 },
        { kind: 'forward', cutAfter: 1 },
      ]),
    );
    const bytes = await readAll(await store(proxy.host).fetch(artefact.layer.descriptor));
    expect(bytes.equals(artefact.layer.bytes)).toBe(true);
    const gets = blobGets();
    expect(gets.map((r) => r.range)).toEqual([undefined, 'bytes=50000-', 'bytes=80000-', 'bytes=80001-']);
    expect(gets.map((r) => r.upstreamStatus)).toEqual([200, 206, 206, 206]);
  });

  test('restarts from the first byte when the registry answers a Range with 200', async () => {
    proxy = await startProxy(
      services().registry.host,
      onBlobGets([
        { kind: 'forward', cutAfter: 70_000 },
        { kind: 'forward', dropRequestHeaders: ['range'] },
      ]),
    );
    const bytes = await readAll(await store(proxy.host).fetch(artefact.layer.descriptor));
    expect(bytes.equals(artefact.layer.bytes)).toBe(true);
    expect(blobGets().map((r) => [r.range, r.upstreamStatus])).toEqual([
      [undefined, 200],
      ['bytes=70000-', 200],
    ]);
  });

  test('checks the digest over the resumed bytes', async () => {
    proxy = await startProxy(
      services().registry.host,
      onBlobGets([
        { kind: 'forward', cutAfter: 50_000 },
        { kind: 'forward', flipByteAt: 10 },
      ]),
    );
    const error = await readAll(await store(proxy.host).fetch(artefact.layer.descriptor)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect((error as Error).message).toContain(artefact.layer.descriptor.digest);
  });

  test('after the last attempt: an error naming the blob and the registry, nothing at --out', async () => {
    proxy = await startProxy(services().registry.host, (request) =>
      isBlobGet(request) ? { kind: 'forward', cutAfter: 20_000 } : { kind: 'forward' },
    );
    const host = proxy.host;
    const parent = await tempDir();
    const out = join(parent, 'out');
    const error = await pullArtifact(store(host), parseReference(`${host}/${repository}:v1`), out, {
      platform: { os: 'linux', architecture: 'amd64' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain(artefact.layer.descriptor.digest);
    expect(message).toContain(`${host}/${repository}`);
    expect(message).toMatch(/4 attempts/);
    expect(blobGets()).toHaveLength(4);
    // no --out, and no scratch folder beside it
    expect(await readdir(parent)).toEqual([]);
  });

  test('a copy into a local layout leaves no partial blob when every attempt breaks off', async () => {
    proxy = await startProxy(services().registry.host, (request) =>
      isBlobGet(request) ? { kind: 'forward', endAfter: 20_000 } : { kind: 'forward' },
    );
    const layoutDir = await tempDir();
    const layout = new LayoutStore(layoutDir);
    const error = await copyArtifact(store(proxy.host), layout, artefact.manifest.descriptor).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(artefact.layer.descriptor.digest);
    expect((error as Error).message).toMatch(/4 attempts/);
    expect(blobGets()).toHaveLength(4);
    const blobs = await readdir(join(layoutDir, 'blobs', 'sha256')).catch(() => []);
    expect(blobs.filter((name) => name.startsWith(artefact.layer.descriptor.digest.slice(7)))).toEqual([]);
  });
});

describe('a manifest download that breaks off', () => {
  const isManifestGet = (r: ProxiedRequest) => r.method === 'GET' && r.path.includes('/manifests/');

  test('is sent again, and gives up with an error naming it after the last attempt', async () => {
    let cuts = 2;
    proxy = await startProxy(services().registry.host, (request) =>
      isManifestGet(request) && cuts-- > 0 ? { kind: 'forward', cutAfter: 10 } : { kind: 'forward' },
    );
    const bytes = await readAll(await store(proxy.host).fetch(artefact.manifest.descriptor));
    expect(bytes.equals(artefact.manifest.bytes)).toBe(true);
    expect(proxy.log.filter(isManifestGet)).toHaveLength(3);

    cuts = Number.POSITIVE_INFINITY;
    const error = await store(proxy.host)
      .fetch(artefact.manifest.descriptor)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      `reading manifest ${proxy.host}/${repository}@${artefact.manifest.descriptor.digest} broke off on each of 4 attempts`,
    );
  });
});
