import { Readable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { RegistryStore, staticCredentials } from '../../../../artifact/registry';
import {
  type LoopbackProxy,
  type ProxiedRequest,
  type ProxyAction,
  startProxy,
} from '../../../helpers/loopback-proxy';
import { services, uniqueRepository } from '../../../helpers/services';
import { makeArtefact, readAll } from './artefact';

// A proxy that fails on purpose — connection resets, 503/429 with Retry-After, a reply lost
// after the registry committed an upload — in front of the real registry.
let proxy: LoopbackProxy | undefined;

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

/** Applies `faults[i]` to the i-th request that `matches`; everything else is forwarded. */
function faultPlan(rules: { matches: (r: ProxiedRequest) => boolean; faults: ProxyAction[] }[]) {
  const seen = rules.map(() => 0);
  return (request: ProxiedRequest): ProxyAction => {
    for (const [index, rule] of rules.entries()) {
      if (!rule.matches(request)) continue;
      const fault = rule.faults[seen[index] ?? 0];
      seen[index] = (seen[index] ?? 0) + 1;
      if (fault) return fault;
    }
    return { kind: 'forward' };
  };
}

const forward: ProxyAction = { kind: 'forward' };
const reset: ProxyAction = { kind: 'reset' };
const inOneSecond = () => new Date(Date.now() + 1000).toUTCString();
const isUploadPut = (r: ProxiedRequest) => r.method === 'PUT' && r.path.includes('/blobs/uploads/');

function store(
  host: string,
  repository: string,
  extra: Partial<ConstructorParameters<typeof RegistryStore>[0]> = {},
) {
  return new RegistryStore({
    registry: host,
    repository,
    credentials: staticCredentials({}),
    retry: { baseDelayMs: 20, maxAttempts: 5 },
    ...extra,
  });
}

/** Completed uploads per blob digest, as the registry saw them (201 to a PUT ?digest=). */
function completedUploads(log: LoopbackProxy['log']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of log) {
    if (!isUploadPut(entry) || entry.upstreamStatus !== 201) continue;
    const digest = new URLSearchParams(entry.search).get('digest') ?? '';
    counts.set(digest, (counts.get(digest) ?? 0) + 1);
  }
  return counts;
}

describe('retries through a flaky proxy', () => {
  test('a push converges and no blob is committed twice', async () => {
    const repository = uniqueRepository('flaky-push');
    const small = makeArtefact();
    const large = makeArtefact(200 * 1024);
    proxy = await startProxy(
      services().registry.host,
      faultPlan([
        // the first session start is refused with Retry-After in seconds
        {
          matches: (r) => r.method === 'POST' && r.path.endsWith('/blobs/uploads/'),
          faults: [{ kind: 'respond', status: 503, headers: { 'retry-after': '1' } }],
        },
        // the first upload reaches the registry, but its 201 is lost; the second is cut before it arrives
        { matches: isUploadPut, faults: [{ kind: 'forward', resetAfterUpstream: true }, reset] },
        // a chunk is cut mid-upload
        { matches: (r) => r.method === 'PATCH', faults: [forward, reset] },
        // the manifest PUT is rate-limited with Retry-After as an HTTP date
        {
          matches: (r) => r.method === 'PUT' && r.path.includes('/manifests/'),
          faults: [{ kind: 'respond', status: 429, headers: { 'retry-after': inOneSecond() } }],
        },
        // an existence check hangs up
        { matches: (r) => r.method === 'HEAD' && r.path.includes('/blobs/'), faults: [forward, reset] },
      ]),
    );
    const flaky = store(proxy.host, repository, {
      chunkedUpload: { threshold: 100 * 1024, chunkSize: 64 * 1024 },
    });
    await flaky.push(small.config.descriptor, small.config.bytes);
    await flaky.push(small.layer.descriptor, () => Readable.from([small.layer.bytes]));
    await flaky.push(large.layer.descriptor, () => Readable.from([large.layer.bytes]));
    await flaky.push(small.manifest.descriptor, small.manifest.bytes);
    await flaky.tag(small.manifest.descriptor, 'v1');

    // every injected fault happened (otherwise this test would prove nothing)
    const log = proxy.log;
    expect(log.filter((r) => r.action === 'reset').length).toBe(3);
    expect(log.filter((r) => r.action === 'respond').length).toBe(2);
    expect(log.some((r) => isUploadPut(r) && r.upstreamStatus === 201 && r.action === 'forward')).toBe(true);

    // every blob was committed exactly once
    const uploads = completedUploads(log);
    for (const blob of [small.config, small.layer, large.layer]) {
      expect(uploads.get(blob.descriptor.digest) ?? 0, blob.descriptor.digest).toBeLessThanOrEqual(1);
    }
    expect([...uploads.values()].reduce((a, b) => a + b, 0)).toBe(3);

    // and the registry, read directly, holds exactly what we meant to publish
    const direct = store(services().registry.host, repository);
    expect((await direct.resolve('v1')).digest).toBe(small.manifest.descriptor.digest);
    expect(await readAll(await direct.fetch(small.layer.descriptor))).toEqual(small.layer.bytes);
    expect(await readAll(await direct.fetch(large.layer.descriptor))).toEqual(large.layer.bytes);
  });

  test('a pull converges through resets, 502 and 503 with Retry-After', async () => {
    const repository = uniqueRepository('flaky-pull');
    const artefact = makeArtefact(96 * 1024);
    const direct = store(services().registry.host, repository);
    await direct.push(artefact.config.descriptor, artefact.config.bytes);
    await direct.push(artefact.layer.descriptor, artefact.layer.bytes);
    await direct.push(artefact.manifest.descriptor, artefact.manifest.bytes);
    await direct.tag(artefact.manifest.descriptor, 'v1');

    proxy = await startProxy(
      services().registry.host,
      faultPlan([
        {
          matches: (r) => r.method === 'HEAD' && r.path.includes('/manifests/'),
          faults: [reset, { kind: 'respond', status: 502 }],
        },
        { matches: (r) => r.method === 'GET' && r.path.includes('/manifests/'), faults: [reset] },
        {
          matches: (r) => r.method === 'GET' && r.path.includes('/blobs/'),
          faults: [{ kind: 'respond', status: 503, headers: { 'retry-after': '1' } }, reset],
        },
      ]),
    );
    const flaky = store(proxy.host, repository);
    const resolved = await flaky.resolve('v1');
    expect(resolved).toEqual(artefact.manifest.descriptor);
    expect(await readAll(await flaky.fetch(resolved))).toEqual(artefact.manifest.bytes);
    expect(await readAll(await flaky.fetch(artefact.layer.descriptor))).toEqual(artefact.layer.bytes);
    expect(proxy.log.filter((r) => r.action !== 'forward').length).toBe(5);
  });

  test('retries are bounded: a registry that keeps failing gives an actionable error', async () => {
    const repository = uniqueRepository('flaky-dead');
    proxy = await startProxy(services().registry.host, () => ({ kind: 'respond', status: 503 }));
    const error = (await store(proxy.host, repository, { retry: { baseDelayMs: 1, maxAttempts: 3 } })
      .resolve('v1')
      .catch((e: unknown) => e)) as Error & { status?: number };
    expect(error.status).toBe(503);
    expect(error.message).toContain('failed while trying to resolve v1');
    // HEAD tried 3 times, then GET 3 times: bounded
    expect(proxy.log.length).toBe(6);
  });
});
