import { describe, expect, it } from 'vitest';
import { digestOf } from '../../../../artifact/content/digest';
import { classifyManifest, hasZipMagic } from '../../../../artifact/manifest/classify';
import { parseManifest } from '../../../../artifact/manifest/parse';
import { selectPlatform } from '../../../../artifact/manifest/platform';
import type { ImageIndex, ImageManifest } from '../../../../artifact/manifest/types';
import { buildZipManifest, zipLayerDescriptor } from '../../../../artifact/manifest/zip-manifest';
import { EMPTY_JSON_DIGEST, MAX_MANIFEST_BYTES } from '../../../../artifact/media-types';

const zip = { digest: digestOf('zip bytes'), size: 9 };
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

describe('zip manifest builder', () => {
  it('builds the v1.1 shape byte for byte, with no time-varying annotation', () => {
    const built = buildZipManifest(zipLayerDescriptor(zip));
    expect(JSON.parse(built.bytes.toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.faasport.function.v1+zip',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: EMPTY_JSON_DIGEST,
        size: 2,
        data: 'e30=',
      },
      layers: [
        {
          mediaType: 'application/zip',
          digest: zip.digest,
          size: 9,
          annotations: { 'org.opencontainers.image.title': 'function.zip' },
        },
      ],
    });
    expect(built.descriptor).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(built.bytes),
      size: built.bytes.length,
      artifactType: 'application/vnd.faasport.function.v1+zip',
    });
    expect(digestOf('{}')).toBe(EMPTY_JSON_DIGEST);
    // deterministic: same input, same bytes
    expect(buildZipManifest(zipLayerDescriptor(zip)).bytes.equals(built.bytes)).toBe(true);
  });

  it('builds the v1.0 fallback with the type in config.mediaType and no artifactType', () => {
    const { manifest } = buildZipManifest(zipLayerDescriptor(zip), 'v1.0');
    expect(manifest.artifactType).toBeUndefined();
    expect(manifest.config).toEqual({
      mediaType: 'application/vnd.faasport.function.v1+zip',
      digest: EMPTY_JSON_DIGEST,
      size: 2,
    });
    expect(classifyManifest(manifest, 'x')).toMatchObject({ shape: 'zip', mislabelled: false });
  });
});

describe('parseManifest', () => {
  const body = buildZipManifest(zipLayerDescriptor(zip)).bytes;

  it('accepts a manifest whose content type agrees (parameters ignored)', () => {
    const parsed = parseManifest(body, 'application/vnd.oci.image.manifest.v1+json; charset=utf-8', 'x');
    expect(parsed.kind).toBe('manifest');
  });

  it.each([
    [body, 'application/vnd.oci.image.index.v1+json', 'served as application/vnd.oci.image.index.v1+json'],
    [Buffer.alloc(MAX_MANIFEST_BYTES + 1, 32), undefined, 'over the 4194304-byte limit'],
    [Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), undefined, 'schema 1'],
    [Buffer.from('{}'), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'schema 1'],
    [Buffer.from('not json'), undefined, 'not JSON'],
    [Buffer.from('[]'), undefined, 'not a JSON object'],
    [Buffer.from('{"schemaVersion":3}'), undefined, 'schemaVersion is 3'],
    [
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          config: { mediaType: 'a', digest: 'sha256:zz', size: 1 },
          layers: [],
        }),
      ),
      undefined,
      'config.digest "sha256:zz"',
    ],
    [
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, config: { mediaType: 'a', digest: d(1), size: -1 }, layers: [] }),
      ),
      undefined,
      'config.size -1',
    ],
    [
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/x-weird' })),
      undefined,
      'unsupported media type application/x-weird',
    ],
  ])('refuses bad input %#', (bytes, type, message) => {
    expect(() => parseManifest(bytes, type, 'reg/fn:v1')).toThrow(message);
  });

  it('infers an index from a body without mediaType', () => {
    const parsed = parseManifest(
      Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] })),
      undefined,
      'x',
    );
    expect(parsed.kind).toBe('index');
  });
});

function manifest(
  config: string,
  layers: Array<[string, Record<string, string>?]>,
  artifactType?: string,
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...(artifactType ? { artifactType } : {}),
    config: { mediaType: config, digest: d(0), size: 2 },
    layers: layers.map(([mediaType, annotations], i) => ({
      mediaType,
      digest: d(i + 1),
      size: 10,
      ...(annotations ? { annotations } : {}),
    })),
  };
}
const title = (name: string) => ({ 'org.opencontainers.image.title': name });

describe('classifyManifest', () => {
  it.each([
    [
      'OCI image',
      manifest('application/vnd.oci.image.config.v1+json', [
        ['application/vnd.oci.image.layer.v1.tar+gzip'],
        ['application/vnd.oci.image.layer.v1.tar+zstd'],
      ]),
      'image',
    ],
    [
      'Docker image',
      {
        ...manifest('application/vnd.docker.container.image.v1+json', [
          ['application/vnd.docker.image.rootfs.diff.tar.gzip'],
        ]),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      },
      'image',
    ],
    [
      'ORAS v1.1 zip',
      manifest(
        'application/vnd.oci.empty.v1+json',
        [['application/zip', title('f.zip')]],
        'application/vnd.faasport.function.v1+zip',
      ),
      'zip',
    ],
    [
      'ORAS v1.0 zip',
      manifest('application/vnd.unknown.config.v1+json', [['application/zip', title('f.zip')]]),
      'zip',
    ],
    [
      'ORAS zip mislabelled as tar',
      manifest(
        'application/vnd.oci.empty.v1+json',
        [['application/vnd.oci.image.layer.v1.tar', title('function.zip')]],
        'application/vnd.unknown.artifact.v1',
      ),
      'zip',
    ],
    [
      'ORAS --artifact-platform zip',
      manifest(
        'application/vnd.oci.image.config.v1+json',
        [['application/zip', title('f.zip')]],
        'application/vnd.x',
      ),
      'zip',
    ],
  ])('%s → %s', (_name, m, shape) => {
    expect(classifyManifest(m, 'ref').shape).toBe(shape);
  });

  it('flags a mislabelled zip layer so callers check the bytes', () => {
    const m = manifest(
      'application/vnd.oci.empty.v1+json',
      [['application/vnd.oci.image.layer.v1.tar', title('f.zip')]],
      'application/vnd.unknown.artifact.v1',
    );
    expect(classifyManifest(m, 'ref')).toMatchObject({
      shape: 'zip',
      mislabelled: true,
      artifactType: 'application/vnd.unknown.artifact.v1',
    });
    expect(hasZipMagic(Buffer.from('PK\x03\x04rest'))).toBe(true);
    expect(hasZipMagic(Buffer.from('\x1f\x8b\x08\x00'))).toBe(false);
    expect(hasZipMagic(Buffer.from('PK'))).toBe(false);
  });

  it.each([
    [
      'ORAS directory push',
      manifest(
        'application/vnd.oci.empty.v1+json',
        [
          [
            'application/vnd.oci.image.layer.v1.tar+gzip',
            { ...title('src'), 'io.deis.oras.content.unpack': 'true' },
          ],
        ],
        'application/vnd.x',
      ),
      'directory push',
    ],
    [
      'two zip layers',
      manifest(
        'application/vnd.oci.empty.v1+json',
        [['application/zip'], ['application/zip']],
        'application/vnd.x',
      ),
      'artifact type application/vnd.x, 2 layer(s)',
    ],
    [
      'helm chart',
      manifest('application/vnd.cncf.helm.config.v1+json', [
        ['application/vnd.cncf.helm.chart.content.v1.tar+gzip'],
      ]),
      'artifact type application/vnd.cncf.helm.config.v1+json',
    ],
    [
      'tar titled .tar',
      manifest(
        'application/vnd.oci.empty.v1+json',
        [['application/vnd.oci.image.layer.v1.tar', title('f.tar')]],
        'application/vnd.x',
      ),
      'neither',
    ],
    [
      'image with a non-image layer',
      manifest('application/vnd.oci.image.config.v1+json', [
        ['application/vnd.oci.image.layer.v1.tar'],
        ['text/plain'],
      ]),
      'neither',
    ],
  ])('rejects %s naming the artifact type', (_name, m, message) => {
    expect(() => classifyManifest(m, 'ref')).toThrow(message);
  });
});

describe('selectPlatform', () => {
  const entry = (
    n: number,
    platform: { os: string; architecture: string; variant?: string },
    annotations?: Record<string, string>,
  ) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: d(n),
    size: 100,
    platform,
    ...(annotations ? { annotations } : {}),
  });
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      entry(1, { os: 'unknown', architecture: 'unknown' }),
      entry(
        2,
        { os: 'linux', architecture: 'amd64' },
        { 'vnd.docker.reference.type': 'attestation-manifest' },
      ),
      entry(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
      entry(4, { os: 'linux', architecture: 'arm64' }),
      entry(5, { os: 'linux', architecture: 'amd64' }),
      entry(6, { os: 'linux', architecture: 'amd64' }),
      entry(7, { os: 'windows', architecture: 'amd64' }),
    ],
  };

  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 5],
    [{ os: 'linux', architecture: 'arm64' }, 4],
    [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 4],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 3],
    [{ os: 'windows', architecture: 'amd64' }, 7],
  ])('%j → child %i (attestations and unknown skipped, first match wins)', (wanted, n) => {
    expect(selectPlatform(index, wanted, 'ref').digest).toBe(d(n));
  });

  it('says which platforms exist when none matches', () => {
    expect(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }, 'ref')).toThrow(
      /no manifest for platform linux\/s390x/,
    );
    let caught: unknown;
    try {
      selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' }, 'ref');
    } catch (error) {
      caught = error;
    }
    expect((caught as { hint: string }).hint).toContain('linux/arm/v7, linux/arm64, linux/amd64');
    expect((caught as { hint: string }).hint).not.toContain('unknown');
  });
});
