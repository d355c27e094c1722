import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { DigestMismatchError, SizeMismatchError } from '../../../../artifact/content/digest';
import {
  isManifestShapeRejected,
  OversizedContentError,
  RegistryError,
  RegistryStore,
  staticCredentials,
} from '../../../../artifact/registry';
import { json, type LocalServer, type SeenRequest, startLocalServer } from './local-server';

const sha = (text: string | Buffer) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const manifestBytes =
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}';
const manifest = { mediaType: OCI_MANIFEST, digest: sha(manifestBytes), size: manifestBytes.length };

let registry: LocalServer | undefined;
afterEach(async () => {
  await registry?.stop();
  registry = undefined;
});

async function storeFor(handle: (req: SeenRequest, res: ServerResponse, self: { origin: string }) => void) {
  registry = await startLocalServer(handle);
  return new RegistryStore({
    registry: registry.host,
    repository: 'team/fn',
    credentials: staticCredentials({}),
    retry: { maxAttempts: 1 },
    logger: { warn() {} },
  });
}

describe('resolve', () => {
  test('falls back to GET when HEAD has no Docker-Content-Digest, and digests the body itself', async () => {
    const store = await storeFor((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end();
      res.writeHead(200, { 'content-type': `${OCI_MANIFEST}; charset=utf-8` }).end(manifestBytes);
    });
    expect(await store.resolve('v1')).toEqual(manifest);
    expect(registry?.requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
    expect(registry?.requests[0]?.headers.accept).toContain('application/vnd.oci.image.index.v1+json');
    expect(registry?.requests[0]?.headers.accept).toContain(
      'application/vnd.docker.distribution.manifest.list.v2+json',
    );
    expect(registry?.requests[0]?.headers.accept).not.toContain('distribution.manifest.v1');
  });

  test('schema 1 and unknown media types are refused by name', async () => {
    let type = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
    const store = await storeFor((_req, res) => {
      res
        .writeHead(200, {
          'content-type': type,
          'docker-content-digest': manifest.digest,
          'content-length': '10',
        })
        .end();
    });
    await expect(store.resolve('v1')).rejects.toThrow(/unsupported media type .*schema 1/);
    type = 'text/html';
    await expect(store.resolve('v1')).rejects.toThrow(/unsupported media type "text\/html"/);
  });

  test('a by-digest resolve whose answer names another digest is a mismatch', async () => {
    const other = sha('other');
    const store = await storeFor((_req, res) => {
      res
        .writeHead(200, {
          'content-type': OCI_MANIFEST,
          'docker-content-digest': other,
          'content-length': '10',
        })
        .end();
    });
    const error = await store.resolve(manifest.digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatchError);
    expect((error as Error).message).toContain(other);
    expect((error as Error).message).toContain(manifest.digest);
  });

  test('manifests over 4 MiB are refused, declared or streamed', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    let declare = true;
    const store = await storeFor((req, res) => {
      if (req.method === 'HEAD' && declare) {
        return void res
          .writeHead(200, {
            'content-type': OCI_MANIFEST,
            'docker-content-digest': sha(big),
            'content-length': String(big.length),
          })
          .end();
      }
      if (req.method === 'HEAD') return void res.writeHead(200, { 'content-type': OCI_MANIFEST }).end();
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'transfer-encoding': 'chunked' });
      res.write(big.subarray(0, 1024 * 1024));
      res.end(big.subarray(1024 * 1024));
    });
    await expect(store.resolve('v1')).rejects.toBeInstanceOf(OversizedContentError);
    declare = false;
    await expect(store.resolve('v1')).rejects.toThrow(/larger than the 4 MiB limit/);
  });
});

describe('fetch', () => {
  test('a blob whose Content-Length disagrees with the descriptor is refused before reading', async () => {
    const store = await storeFor((_req, res) => {
      res.writeHead(200, { 'content-length': '5' }).end('abcde');
    });
    await expect(
      store.fetch({ mediaType: 'application/zip', digest: sha('abc'), size: 3 }),
    ).rejects.toBeInstanceOf(SizeMismatchError);
  });
});

describe('push', () => {
  test.each([
    [405, undefined, true],
    [400, 'MANIFEST_INVALID', true],
    [400, 'UNSUPPORTED', true],
    [415, 'UNSUPPORTED', true],
    [400, 'MANIFEST_BLOB_UNKNOWN', false],
    [400, 'DIGEST_INVALID', false],
    [500, undefined, false],
  ])('manifest refused with %d %s → isManifestShapeRejected %s', async (status, code, shape) => {
    const store = await storeFor((_req, res) => {
      json(res, status, code ? { errors: [{ code, message: 'no' }] } : {});
    });
    const error = await store.push(manifest, Buffer.from(manifestBytes)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(isManifestShapeRejected(error)).toBe(shape);
    expect(registry?.requests[0]?.headers['content-type']).toBe(OCI_MANIFEST);
  });

  test('an off-host upload Location is refused and nothing is sent there', async () => {
    const store = await storeFor((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      res.writeHead(202, { location: 'http://198.51.100.7/v2/team/fn/blobs/uploads/x' }).end();
    });
    await expect(
      store.push({ mediaType: 'application/zip', digest: sha('abc'), size: 3 }, Buffer.from('abc')),
    ).rejects.toThrow(/points to another host/);
    expect(registry?.requests.map((r) => r.method)).toEqual(['HEAD', 'POST']);
  });

  test('a declined mount abandons the upload session it opened', async () => {
    const store = await storeFor((req, res) => {
      if (req.method === 'POST')
        return void res.writeHead(202, { location: '/v2/team/fn/blobs/uploads/session-1?_state=s' }).end();
      res.writeHead(204).end();
    });
    expect(
      await store.mount({ mediaType: 'application/zip', digest: sha('abc'), size: 3 }, 'team/base'),
    ).toBe(false);
    const [post, del] = registry?.requests ?? [];
    expect(post?.search.get('mount')).toBe(sha('abc'));
    expect(post?.search.get('from')).toBe('team/base');
    expect(del?.method).toBe('DELETE');
    expect(del?.path).toBe('/v2/team/fn/blobs/uploads/session-1');
  });

  test('a registry that demands chunks (413 on a monolithic PUT) gets PATCHes instead', async () => {
    let session = 0;
    const store = await storeFor((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      if (req.method === 'POST')
        return void res.writeHead(202, { location: `/v2/team/fn/blobs/uploads/s${++session}` }).end();
      if (req.method === 'PUT' && req.body.length > 0) return void res.writeHead(413).end();
      if (req.method === 'PATCH')
        return void res.writeHead(202, { location: req.path, range: `0-${req.body.length - 1}` }).end();
      res.writeHead(201).end();
    });
    await store.push({ mediaType: 'application/zip', digest: sha('abc'), size: 3 }, Buffer.from('abc'));
    expect(registry?.requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'PUT', 'POST', 'PATCH', 'PUT']);
    expect(registry?.requests[4]?.headers['content-range']).toBe('0-2');
  });

  test('chunks honour OCI-Chunk-Min-Length and offsets are tracked client-side', async () => {
    const bytes = Buffer.from('0123456789');
    registry = await startLocalServer((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(404).end();
      if (req.method === 'POST') {
        return void res
          .writeHead(202, { location: '/v2/team/fn/blobs/uploads/s?n=0', 'oci-chunk-min-length': '4' })
          .end();
      }
      // each PATCH moves the upload to a new Location; only the newest is valid
      if (req.method === 'PATCH') {
        const n = Number(req.search.get('n')) + 1;
        return void res.writeHead(202, { location: `/v2/team/fn/blobs/uploads/s?n=${n}` }).end();
      }
      res.writeHead(201).end();
    });
    const store = new RegistryStore({
      registry: registry.host,
      repository: 'team/fn',
      credentials: staticCredentials({}),
      chunkedUpload: { threshold: 1, chunkSize: 2 },
    });
    await store.push({ mediaType: 'application/zip', digest: sha(bytes), size: bytes.length }, bytes);
    const patches = registry.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.headers['content-range'])).toEqual(['0-3', '4-7', '8-9']);
    expect(patches.map((r) => r.search.get('n'))).toEqual(['0', '1', '2']);
    const put = registry.requests.at(-1);
    expect(put?.method).toBe('PUT');
    expect(put?.search.get('n')).toBe('3');
    expect(put?.search.get('digest')).toBe(sha(bytes));
  });
});
