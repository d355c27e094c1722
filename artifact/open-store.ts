import { isAbsolute, resolve } from 'node:path';
import type { ContentStore } from './content/store';
import type { Reference } from './reference';
import { RegistryStore } from './registry';
import { LayoutStore } from './store/layout-store';

export interface OpenStoreOptions {
  /** Plain http to a non-loopback registry (loopback registries may use http by default). */
  insecure?: boolean;
  /** Relative layout paths resolve against this folder (default: the working directory). */
  baseDir?: string;
}

/** The store a reference points into: a local OCI layout, or one repository of a registry. */
export function openStore(reference: Reference, options: OpenStoreOptions = {}): ContentStore {
  if (reference.kind === 'layout') {
    const path = isAbsolute(reference.path)
      ? reference.path
      : resolve(options.baseDir ?? '.', reference.path);
    return new LayoutStore(path);
  }
  return new RegistryStore({
    registry: reference.registry,
    repository: reference.repository,
    ...(options.insecure ? { insecure: true } : {}),
  });
}

/** The repository to mount from when both references are repositories of the same registry. */
export function mountSource(source: Reference, target: Reference): string | undefined {
  return source.kind === 'registry' &&
    target.kind === 'registry' &&
    source.registry === target.registry &&
    source.repository !== target.repository
    ? source.repository
    : undefined;
}
