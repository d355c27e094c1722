import type { Readable } from 'node:stream';
import type { Descriptor } from './descriptor';

/**
 * Content to push. A function that opens a fresh stream lets a store retry or chunk an upload
 * (a registry after a connection reset); a bare Readable can be consumed only once.
 */
export type Content = Uint8Array | Readable | (() => Readable);

/**
 * A content-addressed store of OCI content (oras-go's content.Storage + Resolver + Tagger), so
 * that one copy routine moves artefacts between any two stores: memory, OCI layout, registry.
 */
export interface ContentStore {
  /** Human-readable location for messages, e.g. `127.0.0.1:5000/team/fn` or `oci:./store`. */
  readonly location: string;

  /** A tag or digest → the descriptor of the manifest (or index) it points to. */
  resolve(reference: string): Promise<Descriptor>;

  /**
   * The bytes behind a descriptor, as a stream verified against its digest and size: the stream
   * errors (DigestMismatchError / SizeMismatchError) instead of ending if they differ.
   */
  fetch(descriptor: Descriptor): Promise<Readable>;

  /** Whether the store holds this content (blob or manifest). */
  exists(descriptor: Descriptor): Promise<boolean>;

  /**
   * Stores content under its digest. Manifest and index media types go to the manifest side of
   * the store, everything else is a blob. Implementations verify before committing.
   */
  push(descriptor: Descriptor, content: Content): Promise<void>;

  /** Points a tag at a manifest the store already holds. */
  tag(descriptor: Descriptor, tag: string): Promise<void>;
}

/**
 * Optional capability of a store on the local disk: a blob written beside its place (in
 * `scratchFolder()`, by a writer that hashed it on the way) is moved in by a rename instead of
 * being read, verified and copied again. The caller vouches for the digest.
 */
export interface AdoptingStore extends ContentStore {
  scratchFolder(): Promise<string>;
  adopt(descriptor: Descriptor, file: string): Promise<void>;
}

export function isAdoptingStore(store: ContentStore): store is AdoptingStore {
  return typeof (store as Partial<AdoptingStore>).adopt === 'function';
}

/** Optional capability: make a blob available from another repository of the same registry. */
export interface MountableStore extends ContentStore {
  /** True when mounted; false when the registry declined (the caller then uploads). */
  mount(descriptor: Descriptor, fromRepository: string): Promise<boolean>;
}
