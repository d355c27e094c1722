import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { createVerifier, isDigest } from '../content/digest';
import { readAll } from '../content/read-all';
import type { ContentStore } from '../content/store';
import { parseManifest } from '../manifest/parse';
import { serialiseManifest } from '../manifest/zip-manifest';
import { MAX_MANIFEST_BYTES, OCI_IMAGE_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST } from '../media-types';
import { indexTar, type TarEntry } from './tar-index';

/** Where each digest's bytes live: a tar member, or bytes made here (a synthesised manifest). */
type Source = { entry: TarEntry } | { bytes: Buffer };

function notSupported(path: string, why: string): UserError {
  return new UserError(`${path} cannot be published as an image: ${why}`, {
    hint: 'Pass the output of "docker save <image>" for one image, or an OCI image layout folder.',
  });
}

/**
 * A `docker save` tarball as a read-only content store. Docker ≥ 25 writes an OCI layout inside
 * the tar (used as is); older engines write manifest.json + <id>.json + <id>/layer.tar, for
 * which an OCI manifest is synthesised (uncompressed layers, whose digests are the config's
 * diff_ids, so the image is unchanged).
 */
export class ArchiveStore implements ContentStore {
  readonly location: string;
  private readonly content = new Map<string, { descriptor: Descriptor; source: Source }>();
  private root: Descriptor | undefined;

  private constructor(private readonly path: string) {
    this.location = `docker-archive:${path}`;
  }

  static async open(path: string): Promise<ArchiveStore> {
    const store = new ArchiveStore(path);
    const entries = await indexTar(path);
    if (entries.has('oci-layout') && entries.has('index.json')) await store.loadLayout(entries);
    else if (entries.has('manifest.json')) await store.loadLegacy(entries);
    else throw notSupported(path, 'it has neither index.json (OCI layout) nor manifest.json (docker save)');
    return store;
  }

  /** The image in the archive (the sole one). */
  get image(): Descriptor {
    return this.root!;
  }

  private async member(entry: TarEntry): Promise<Buffer> {
    if (entry.size > MAX_MANIFEST_BYTES)
      throw notSupported(this.path, `${entry.name} is too large for metadata`);
    return readAll(
      createReadStream(this.path, { start: entry.offset, end: entry.offset + entry.size - 1 }),
      MAX_MANIFEST_BYTES,
      entry.name,
    );
  }

  private async loadLayout(entries: Map<string, TarEntry>): Promise<void> {
    for (const [name, entry] of entries) {
      const match = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
      if (match && isDigest(`${match[1]}:${match[2]}`)) {
        const digest = `${match[1]}:${match[2]}`;
        this.content.set(digest, {
          descriptor: { mediaType: 'application/octet-stream', digest, size: entry.size },
          source: { entry },
        });
      }
    }
    const parsed = parseManifest(
      await this.member(entries.get('index.json')!),
      undefined,
      `${this.location}/index.json`,
    );
    if (parsed.kind !== 'index' || parsed.index.manifests.length !== 1) {
      throw notSupported(this.path, 'its index.json must list exactly one image');
    }
    const [only] = parsed.index.manifests;
    // the entry's annotations (image names) belong to the archive's index, not the descriptor
    const { mediaType, digest, size } = only!;
    this.root = { mediaType, digest, size };
    const known = this.content.get(digest);
    if (known) known.descriptor = this.root;
  }

  private async loadLegacy(entries: Map<string, TarEntry>): Promise<void> {
    const list = JSON.parse((await this.member(entries.get('manifest.json')!)).toString('utf8')) as Array<{
      Config?: string;
      Layers?: string[];
    }>;
    if (!Array.isArray(list) || list.length !== 1) {
      throw notSupported(
        this.path,
        `it holds ${Array.isArray(list) ? list.length : 0} images; save exactly one`,
      );
    }
    const [image] = list;
    const configEntry = image?.Config ? entries.get(image.Config) : undefined;
    if (!configEntry || !Array.isArray(image?.Layers))
      throw notSupported(this.path, 'manifest.json does not name its config and layers');
    const config = await this.addMember(configEntry, OCI_IMAGE_CONFIG);
    const layers: Descriptor[] = [];
    for (const layerName of image.Layers) {
      const entry = entries.get(layerName);
      if (!entry) throw notSupported(this.path, `layer ${layerName} is missing from the archive`);
      layers.push(await this.addMember(entry, OCI_LAYER_TAR));
    }
    const built = serialiseManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers });
    this.content.set(built.descriptor.digest, {
      descriptor: built.descriptor,
      source: { bytes: built.bytes },
    });
    this.root = built.descriptor;
  }

  /** Hashes a member once (streamed) to learn its digest. */
  private async addMember(entry: TarEntry, mediaType: string): Promise<Descriptor> {
    const hash = createHash('sha256');
    if (entry.size > 0) {
      for await (const chunk of createReadStream(this.path, {
        start: entry.offset,
        end: entry.offset + entry.size - 1,
      })) {
        hash.update(chunk as Buffer);
      }
    }
    const descriptor = { mediaType, digest: `sha256:${hash.digest('hex')}`, size: entry.size };
    this.content.set(descriptor.digest, { descriptor, source: { entry } });
    return descriptor;
  }

  async resolve(reference: string): Promise<Descriptor> {
    if (this.root && (reference === this.root.digest || !isDigest(reference))) return this.root;
    throw new UserError(`${reference} not found in ${this.location}`);
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const found = this.content.get(descriptor.digest);
    if (!found) throw new UserError(`${descriptor.digest} not found in ${this.location}`);
    const verifier = createVerifier(descriptor, `${this.location}@${descriptor.digest}`);
    if ('bytes' in found.source) {
      verifier.end(found.source.bytes);
      return verifier;
    }
    const { entry } = found.source;
    if (entry.size === 0) {
      verifier.end();
      return verifier;
    }
    const stream = createReadStream(this.path, { start: entry.offset, end: entry.offset + entry.size - 1 });
    stream.on('error', (error) => verifier.destroy(error));
    return stream.pipe(verifier);
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return this.content.has(descriptor.digest);
  }

  async push(): Promise<void> {
    throw new UserError(`${this.location} is read-only`);
  }

  async tag(): Promise<void> {
    throw new UserError(`${this.location} is read-only`);
  }
}
