import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { createVerifier, isDigest, parseDigest } from '../content/digest';
import type { AdoptingStore, Content } from '../content/store';
import { parseManifest } from '../manifest/parse';
import type { ImageIndex } from '../manifest/types';
import { isManifestType, MAX_MANIFEST_BYTES, OCI_INDEX, REF_NAME_ANNOTATION } from '../media-types';
import { contentStream, discardContent } from './content-stream';

const LAYOUT_FILE = 'oci-layout';
const LAYOUT_VERSION = '1.0.0';
const INDEX_FILE = 'index.json';

/** Serialises index.json updates per folder within this process (a read-modify-write). */
const indexLocks = new Map<string, Promise<unknown>>();

function withIndexLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const previous = indexLocks.get(dir) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  indexLocks.set(dir, settled);
  void settled.then(() => {
    if (indexLocks.get(dir) === settled) indexLocks.delete(dir);
  });
  return next;
}

/** Writes a file next to its destination, then renames it over: readers never see half a file. */
async function writeAtomically(path: string, bytes: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temporary, bytes, { mode: 0o644 });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * An OCI image layout folder (image-spec image-layout.md): `oci-layout`, `index.json` whose
 * entries carry tags as `org.opencontainers.image.ref.name`, and `blobs/<alg>/<hex>`. The same
 * form skopeo (`oci:<dir>:<tag>`) and oras (`--oci-layout`) read and write. Used as faasport's
 * embedded store and as the digest-addressed cache of pulled artefacts.
 */
export class LayoutStore implements AdoptingStore {
  readonly location: string;
  readonly root: string;
  private ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.root = resolve(dir);
    this.location = `oci:${dir}`;
  }

  /** Creates the layout on first write; an existing layout must declare version 1.0.0. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, 'blobs'), { recursive: true });
      const layout = await this.readLayoutFile();
      if (layout === undefined) {
        await writeAtomically(
          join(this.root, LAYOUT_FILE),
          JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION }),
        );
      }
      await withIndexLock(this.root, async () => {
        if ((await stat(join(this.root, INDEX_FILE)).catch(() => undefined)) === undefined) {
          await this.writeIndex({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
        }
      });
    })();
    const ready = this.ready;
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }

  private async readLayoutFile(): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.root, LAYOUT_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (version !== LAYOUT_VERSION) {
      throw new UserError(
        `${this.location} is not an OCI image layout version ${LAYOUT_VERSION} (oci-layout says ${text.trim()})`,
        {
          hint: 'Point to a folder written by faasport, skopeo or oras, or to an empty folder.',
        },
      );
    }
    return version;
  }

  private blobPath(digest: string): string {
    // parseDigest admits only <alg>:<hex>, so the path cannot leave blobs/
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  /** index.json; a missing layout reads as empty. */
  async readIndex(): Promise<ImageIndex> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.root, INDEX_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      }
      throw error;
    }
    const parsed = parseManifest(bytes, undefined, `${this.location}/${INDEX_FILE}`);
    if (parsed.kind !== 'index') {
      throw new UserError(`${this.location}/${INDEX_FILE} is not an image index`, {
        hint: 'The folder is not a valid OCI image layout.',
      });
    }
    return parsed.index;
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await writeAtomically(join(this.root, INDEX_FILE), `${JSON.stringify(index)}\n`);
  }

  /** The tags of this layout, for messages and listings. */
  async tags(): Promise<string[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((entry) => entry.annotations?.[REF_NAME_ANNOTATION] ?? []);
  }

  async resolve(reference: string): Promise<Descriptor> {
    const index = await this.readIndex();
    if (isDigest(reference)) {
      const listed = index.manifests.find((entry) => entry.digest === reference);
      if (listed) return plain(listed);
      // an untagged manifest (e.g. an index child): its media type comes from its own body
      const path = this.blobPath(reference);
      const info = await stat(path).catch(() => undefined);
      if (info?.isFile() && info.size <= MAX_MANIFEST_BYTES) {
        const bytes = await readFile(path);
        const parsed = parseManifest(bytes, undefined, `${this.location}@${reference}`);
        return { mediaType: parsed.mediaType, digest: reference, size: bytes.length };
      }
      throw new UserError(`manifest ${reference} not found in ${this.location}`, {
        hint: 'Publish or pull it into this layout first.',
      });
    }
    const tagged = index.manifests.find((entry) => entry.annotations?.[REF_NAME_ANNOTATION] === reference);
    if (!tagged) {
      const tags = await this.tags();
      throw new UserError(`tag "${reference}" not found in ${this.location}`, {
        hint: tags.length ? `It has: ${tags.join(', ')}.` : 'The layout holds no tagged artefact yet.',
      });
    }
    return plain(tagged);
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const path = this.blobPath(descriptor.digest);
    if (!(await stat(path).catch(() => undefined))?.isFile()) {
      throw new UserError(`${descriptor.digest} not found in ${this.location}`, {
        hint: 'The layout is incomplete; copy the artefact into it again.',
      });
    }
    const verifier = createVerifier(descriptor, `${this.location}@${descriptor.digest}`);
    const file = createReadStream(path);
    file.on('error', (error) => verifier.destroy(error));
    return file.pipe(verifier);
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    const info = await stat(this.blobPath(descriptor.digest)).catch(() => undefined);
    return info?.isFile() === true && info.size === descriptor.size;
  }

  /** blobs/sha256 itself: a file written there renames into place without a copy. */
  async scratchFolder(): Promise<string> {
    await this.init();
    const dir = join(this.root, 'blobs', 'sha256');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Renames `file` (whose digest the caller computed while writing it) into blobs/. */
  async adopt(descriptor: Descriptor, file: string): Promise<void> {
    if (await this.exists(descriptor)) {
      await rm(file, { force: true });
      return;
    }
    await this.init();
    const path = this.blobPath(descriptor.digest);
    await mkdir(join(path, '..'), { recursive: true });
    await rename(file, path);
  }

  /** Streams to a temporary file through the verifier, then renames into blobs/: never a bad blob. */
  async push(descriptor: Descriptor, content: Content): Promise<void> {
    const path = this.blobPath(descriptor.digest);
    if (await this.exists(descriptor)) {
      discardContent(content);
      return;
    }
    await this.init();
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(
        contentStream(content),
        createVerifier(descriptor, `${this.location}@${descriptor.digest}`),
        createWriteStream(temporary, { mode: 0o644 }),
      );
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Points a tag at a manifest (replacing the tag's previous entry) in index.json. */
  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    if (!isManifestType(descriptor.mediaType)) {
      throw new UserError(`cannot tag ${descriptor.digest}: ${descriptor.mediaType} is not a manifest`);
    }
    if (!(await this.exists(descriptor))) {
      throw new UserError(
        `cannot tag ${descriptor.digest} as "${tag}" in ${this.location}: the manifest is not there`,
      );
    }
    await this.init();
    await withIndexLock(this.root, async () => {
      const index = await this.readIndex();
      const manifests = index.manifests.filter((entry) => entry.annotations?.[REF_NAME_ANNOTATION] !== tag);
      manifests.push({ ...plain(descriptor), annotations: { [REF_NAME_ANNOTATION]: tag } });
      await this.writeIndex({ ...index, manifests });
    });
  }
}

/** A descriptor without index-only annotations (the tag) or inline data. */
function plain(descriptor: Descriptor): Descriptor {
  const { mediaType, digest, size, artifactType, platform } = descriptor;
  return {
    mediaType,
    digest,
    size,
    ...(artifactType ? { artifactType } : {}),
    ...(platform ? { platform } : {}),
  };
}
