import { UserError } from '../common/errors';
import { parseDigest } from './content/digest';

/**
 * Artefact references: `<registry>/<repository>[:<tag>][@<digest>]` as in the distribution
 * reference grammar, Docker Hub short names, and local OCI layouts `oci:<dir>[:<tag>|@<digest>]`.
 */
export type Reference = RegistryReference | LayoutReference;

export interface RegistryReference {
  kind: 'registry';
  /** Host[:port] to talk to: Docker Hub is `registry-1.docker.io`. */
  registry: string;
  /** Repository path, e.g. `team/fn`; Docker Hub short names get `library/`. */
  repository: string;
  /** Absent only when a digest pins the reference. */
  tag?: string;
  digest?: string;
}

export interface LayoutReference {
  kind: 'layout';
  /** Folder of the OCI image layout, as written (relative paths resolve against the cwd). */
  path: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
const DOCKER_HUB_DISPLAY = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DEFAULT_TAG = 'latest';
const LAYOUT_PREFIX = 'oci:';

// The distribution reference grammar (distribution/reference regexp.go), written out here.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const MAX_NAME_LENGTH = 255;

function badReference(input: string, part: string, why: string): UserError {
  return new UserError(`invalid artefact reference "${input}": ${part} ${why}`, {
    hint: 'Use <registry>/<repository>:<tag> (or @sha256:<digest>), e.g. 127.0.0.1:5000/team/fn:v1, or oci:<dir>:<tag> for a local layout.',
    exitCode: 2,
  });
}

/** A tag or digest as written; throws naming the bad part. */
function checkTagAndDigest(input: string, tag: string | undefined, digest: string | undefined): void {
  if (tag !== undefined && !TAG.test(tag)) {
    throw badReference(
      input,
      `tag "${tag}"`,
      'is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)',
    );
  }
  if (digest !== undefined) {
    try {
      parseDigest(digest);
    } catch (error) {
      throw badReference(input, `digest "${digest}"`, `is malformed (${(error as Error).message})`);
    }
  }
}

function parseLayout(input: string): LayoutReference {
  let rest = input.slice(LAYOUT_PREFIX.length);
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    // The last `:` starts a tag only when what follows has no path separator (paths may hold `:`).
    const colon = rest.lastIndexOf(':');
    if (colon >= 0 && !/[/\\]/.test(rest.slice(colon + 1))) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (rest === '') throw badReference(input, 'the layout folder', 'is empty (write oci:<dir>:<tag>)');
  checkTagAndDigest(input, tag, digest);
  return { kind: 'layout', path: rest, tag: tag ?? (digest ? undefined : DEFAULT_TAG), digest };
}

function parseRegistry(input: string): RegistryReference {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  checkTagAndDigest(input, tag, digest);

  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // As docker does: the first component is a registry when it looks like a host.
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasDomain ? first : DOCKER_HUB_REGISTRY;
  let repository = hasDomain ? rest.slice(slash + 1) : rest;

  if (hasDomain && !DOMAIN.test(registry)) {
    throw badReference(input, `registry "${registry}"`, 'is not a valid host[:port]');
  }
  if (DOCKER_HUB_ALIASES.has(registry.toLowerCase())) {
    registry = DOCKER_HUB_REGISTRY;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  if (repository === '') throw badReference(input, 'the repository', 'is empty');
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      const why =
        component !== component.toLowerCase()
          ? 'must be lowercase'
          : 'must be lowercase letters and digits separated by . _ __ or -';
      throw badReference(input, `repository component "${component}"`, why);
    }
  }
  if (`${registry}/${repository}`.length > MAX_NAME_LENGTH) {
    throw badReference(input, 'the name', `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { kind: 'registry', registry, repository, tag: tag ?? (digest ? undefined : DEFAULT_TAG), digest };
}

/** Parses and normalises a reference; throws a UserError (exit code 2) naming the bad part. */
export function parseReference(input: string): Reference {
  const trimmed = input.trim();
  if (trimmed === '') throw badReference(input, 'the reference', 'is empty');
  if (trimmed.startsWith(LAYOUT_PREFIX)) return parseLayout(trimmed);
  if (/\s/.test(trimmed)) throw badReference(input, 'the reference', 'contains whitespace');
  return parseRegistry(trimmed);
}

/** What to resolve in the store: the digest when pinned, else the tag. */
export function referenceTarget(reference: Reference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}

/** `registry/repository` with Docker Hub shown as `docker.io`, for messages and output. */
export function displayName(reference: RegistryReference): string {
  const registry = reference.registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_DISPLAY : reference.registry;
  return `${registry}/${reference.repository}`;
}

/** The canonical display form, e.g. `docker.io/library/alpine:latest` or `oci:store:v1`. */
export function formatReference(reference: Reference): string {
  const base = reference.kind === 'layout' ? `${LAYOUT_PREFIX}${reference.path}` : displayName(reference);
  const tag = reference.tag !== undefined ? `:${reference.tag}` : '';
  const digest = reference.digest !== undefined ? `@${reference.digest}` : '';
  return `${base}${tag}${digest}`;
}

/** The same location pinned to a digest (tag kept for readability). */
export function withDigest<T extends Reference>(reference: T, digest: string): T {
  return { ...reference, digest };
}

/** Whether a host is loopback, where plain HTTP is acceptable by default. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(1, registry.indexOf(']'))
    : (registry.split(':')[0] ?? '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
