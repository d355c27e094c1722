import { readFile } from 'node:fs/promises';
import { UserError } from '../../../common/errors';
import type { Credential } from './credential';
import type { runCredentialHelper } from './helper';

/** The parts of docker's (and containers') auth files we use. */
export interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export type HelperRunner = typeof runCredentialHelper;

/** Key docker uses for Docker Hub in auths and credential stores. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Reads a config file; absent → undefined; unreadable JSON → an error naming the file. */
export async function readAuthFile(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      return undefined;
    }
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as DockerConfig) : {};
  } catch {
    throw new UserError(`${path} is not valid JSON`, {
      hint: 'Fix or remove the file (docker login rewrites it).',
    });
  }
}

/**
 * `https://index.docker.io/v1/` → `docker.io`, `http://Host:5000/` → `host:5000`. Keys of
 * containers' auth.json may also carry a namespace (`host/team`), kept as is.
 */
export function normaliseRegistryKey(key: string): string {
  let host = key
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  host = host.replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  return DOCKER_HUB_HOSTS.has(host) ? 'docker.io' : host;
}

/** The server URL a helper or credential store knows this registry by. */
export function helperServerUrl(registry: string): string {
  return normaliseRegistryKey(registry) === 'docker.io' ? DOCKER_HUB_SERVER : registry.toLowerCase();
}

function lookup<T>(map: Record<string, T> | undefined, registry: string): T | undefined {
  if (!map) return undefined;
  const wanted = normaliseRegistryKey(registry);
  for (const [key, value] of Object.entries(map)) if (normaliseRegistryKey(key) === wanted) return value;
  return undefined;
}

/** Decodes one `auths` entry: `auth` is base64 `user:pass` split at the first colon. */
export function credentialFromEntry(entry: DockerAuthEntry, source: string): Credential | undefined {
  const credential: Credential = { source };
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0)
      throw new UserError(`the "auth" entry in ${source} is malformed (expected base64 of user:password)`);
    credential.username = decoded.slice(0, colon);
    credential.password = decoded.slice(colon + 1);
  } else if (entry.username && entry.password) {
    credential.username = entry.username;
    credential.password = entry.password;
  }
  if (entry.identitytoken) credential.identityToken = entry.identitytoken;
  if (entry.registrytoken) credential.registryToken = entry.registrytoken;
  const usable =
    (credential.username && credential.password) || credential.identityToken || credential.registryToken;
  return usable ? credential : undefined;
}

/** `credHelpers[host]` → `credsStore` → `auths`, each tried only if the previous has nothing. */
export async function credentialFromConfig(
  config: DockerConfig,
  registry: string,
  source: string,
  runHelper: HelperRunner,
): Promise<Credential | undefined> {
  const helper = lookup(config.credHelpers, registry);
  if (helper) {
    const found = await runHelper(helper, helperServerUrl(registry));
    if (found) return found;
  }
  if (config.credsStore) {
    const found = await runHelper(config.credsStore, helperServerUrl(registry));
    if (found) return found;
  }
  const entry = lookup(config.auths, registry);
  return entry ? credentialFromEntry(entry, `${source} (auths)`) : undefined;
}
