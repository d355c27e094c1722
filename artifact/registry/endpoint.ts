import { isIP } from 'node:net';
import { UserError } from '../../common/errors';

/** Where a registry's API lives, derived from the host as the user wrote it. */
export interface RegistryEndpoint {
  /** As written (lower-cased), used for credential look-ups and messages: `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  /** `https://registry-1.docker.io` or `http://127.0.0.1:5000`, no trailing slash. */
  origin: string;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

export function isDockerHub(registry: string): boolean {
  return DOCKER_HUB_ALIASES.has(registry.toLowerCase());
}

/** `host`, `host:port`, `[v6]:port`: refuses schemes, paths, credentials and empty hosts. */
function parseHost(registry: string): URL {
  if (registry === '' || /[/@?#\s]/.test(registry)) {
    throw new UserError(
      `invalid registry "${registry}": expected host[:port], e.g. 127.0.0.1:5000 or ghcr.io`,
      {
        exitCode: 2,
      },
    );
  }
  try {
    return new URL(`https://${registry}`);
  } catch {
    throw new UserError(`invalid registry "${registry}": expected host[:port]`, { exitCode: 2 });
  }
}

/** localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** RFC 1918, link-local, unique-local and unspecified addresses (literal IPs only). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (isIP(host) === 6) return /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host === '::';
  return false;
}

/**
 * Resolves the API origin. Plain http only when asked (`insecure: true`) or by default for
 * loopback hosts; `insecure: false` forces https even there.
 */
export function registryEndpoint(registry: string, insecure?: boolean): RegistryEndpoint {
  const written = registry.toLowerCase();
  const url = parseHost(written);
  const apiHost = isDockerHub(written) ? DOCKER_HUB_API_HOST : url.host;
  const plain = insecure ?? isLoopbackHost(url.hostname);
  return { registry: written, origin: `${plain ? 'http' : 'https'}://${apiHost}` };
}
