import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../../common/errors';
import type { Descriptor } from '../content/descriptor';
import { createVerifier, isDigest } from '../content/digest';
import type { Content, ContentStore } from '../content/store';
import { isManifestType } from '../media-types';
import { contentStream, discardContent } from './content-stream';

interface Stored {
  descriptor: Descriptor;
  bytes: Buffer;
}

/** A content store in memory: for tests, and as the staging area of small flows. */
export class MemoryStore implements ContentStore {
  readonly location: string;
  private readonly content = new Map<string, Stored>();
  private readonly tags = new Map<string, Descriptor>();

  constructor(name = 'memory') {
    this.location = name;
  }

  async resolve(reference: string): Promise<Descriptor> {
    const found = isDigest(reference) ? this.content.get(reference)?.descriptor : this.tags.get(reference);
    if (!found || !isManifestType(found.mediaType)) {
      throw new UserError(`${reference} not found in ${this.location}`);
    }
    return found;
  }

  async fetch(descriptor: Descriptor): Promise<Readable> {
    const stored = this.content.get(descriptor.digest);
    if (!stored) throw new UserError(`${descriptor.digest} not found in ${this.location}`);
    const verifier = createVerifier(descriptor, `${this.location}@${descriptor.digest}`);
    Readable.from([stored.bytes]).pipe(verifier);
    return verifier;
  }

  async exists(descriptor: Descriptor): Promise<boolean> {
    return this.content.has(descriptor.digest);
  }

  async push(descriptor: Descriptor, content: Content): Promise<void> {
    if (this.content.has(descriptor.digest)) {
      discardContent(content);
      return;
    }
    const chunks: Buffer[] = [];
    await pipeline(
      contentStream(content),
      createVerifier(descriptor, `${this.location}@${descriptor.digest}`),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) chunks.push(chunk);
      },
    );
    const { mediaType, digest, size, artifactType } = descriptor;
    this.content.set(digest, {
      descriptor: { mediaType, digest, size, ...(artifactType ? { artifactType } : {}) },
      bytes: Buffer.concat(chunks),
    });
  }

  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    const stored = this.content.get(descriptor.digest);
    if (!stored || !isManifestType(stored.descriptor.mediaType)) {
      throw new UserError(`cannot tag ${descriptor.digest} as ${tag} in ${this.location}: no such manifest`);
    }
    this.tags.set(tag, stored.descriptor);
  }

  /** For tests: overwrite stored bytes without re-hashing, to prove readers verify. */
  corrupt(digest: string, bytes: Buffer): void {
    const stored = this.content.get(digest);
    if (stored) stored.bytes = bytes;
  }
}
