import { UserError } from '../../common/errors';
import { isLoopbackHost, isPrivateHost } from './endpoint';

/**
 * Checks a Bearer challenge's realm before any credential goes there: http(s) only, no
 * downgrade from an https registry, and no loopback/private realm unless the registry itself
 * lives there (a public registry must not steer us to internal services).
 */
export function checkRealm(realm: string, registryOrigin: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new UserError(`the registry at ${registryOrigin} sent an invalid token realm "${realm}"`);
  }
  const registry = new URL(registryOrigin);
  const where = `token realm ${url.origin} of ${registry.host}`;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`refusing ${where}: only http(s) realms are allowed`);
  }
  if (registry.protocol === 'https:' && url.protocol === 'http:') {
    throw new UserError(`refusing ${where}: it would send credentials over plain http`, {
      hint: 'An https registry must use an https token service; this may be an interception attempt.',
    });
  }
  if (url.username || url.password) {
    throw new UserError(`refusing ${where}: the realm URL embeds credentials`);
  }
  const realmHost = url.hostname;
  const registryHost = registry.hostname;
  const sameHost = realmHost === registryHost || (isLoopbackHost(realmHost) && isLoopbackHost(registryHost));
  if ((isLoopbackHost(realmHost) || isPrivateHost(realmHost)) && !sameHost) {
    throw new UserError(
      `refusing ${where}: a loopback or private address is only trusted for a registry on that host`,
    );
  }
  return url;
}
