import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DigestMismatchError, digestOf } from '../../../../artifact/content/digest';
import { RegistryStore, staticCredentials } from '../../../../artifact/registry';
import { type LoopbackProxy, type ProxiedRequest, startProxy } from '../../../helpers/loopback-proxy';
import { services, uniqueRepository } from '../../../helpers/services';
import { makeArtefact, readAll, type TestArtefact } from './artefact';

// A proxy between us and the real registry flips one byte of blob and manifest bodies.
const FLIPPED = 10;
let proxy: LoopbackProxy;
let artefact: TestArtefact;
const repository = uniqueRepository('corrupt');

function corrupt(request: ProxiedRequest) {
  const body = request.method === 'GET' && /\/(blobs|manifests)\//.test(request.path);
  // HEAD answers lose their digest header too, forcing resolve onto the (corrupted) GET
  return body
    ? ({ kind: 'forward', flipByteAt: FLIPPED } as const)
    : ({ kind: 'forward', dropHeaders: ['docker-content-digest'] } as const);
}

function flipped(bytes: Buffer): string {
  const copy = Buffer.from(bytes);
  copy[FLIPPED] = (copy[FLIPPED] ?? 0) ^ 0xff;
  return digestOf(copy);
}

beforeAll(async () => {
  artefact = makeArtefact();
  const direct = new RegistryStore({
    registry: services().registry.host,
    repository,
    credentials: staticCredentials({}),
  });
  await direct.push(artefact.config.descriptor, artefact.config.bytes);
  await direct.push(artefact.layer.descriptor, artefact.layer.bytes);
  await direct.push(artefact.manifest.descriptor, artefact.manifest.bytes);
  await direct.tag(artefact.manifest.descriptor, 'v1');
  proxy = await startProxy(services().registry.host, corrupt);
});

afterAll(async () => {
  await proxy?.stop();
});

function throughProxy(): RegistryStore {
  return new RegistryStore({ registry: proxy.host, repository, credentials: staticCredentials({}) });
}

describe('digest verification through a corrupting proxy', () => {
  test('a blob with one flipped byte fails with a DigestMismatchError naming both digests', async () => {
    const stream = await throughProxy().fetch(artefact.layer.descriptor);
    const error = await readAll(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatchError);
    const message = (error as Error).message;
    expect(message).toContain('digest');
    expect(message).toContain(artefact.layer.descriptor.digest);
    expect(message).toContain(flipped(artefact.layer.bytes));
  });

  test('a manifest fetched by digest is verified before anything is returned', async () => {
    const error = await throughProxy()
      .fetch(artefact.manifest.descriptor)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect((error as Error).message).toContain(artefact.manifest.descriptor.digest);
    expect((error as Error).message).toContain(flipped(artefact.manifest.bytes));
  });

  test('resolving a tag checks the body against Docker-Content-Digest', async () => {
    const error = await throughProxy()
      .resolve('v1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect((error as Error).message).toContain(artefact.manifest.descriptor.digest);
    // the HEAD had no digest, so the store really did fall back to a GET
    expect(proxy.log.some((r) => r.method === 'HEAD' && r.path.endsWith('/manifests/v1'))).toBe(true);
    expect(proxy.log.some((r) => r.method === 'GET' && r.path.endsWith('/manifests/v1'))).toBe(true);
  });
});
