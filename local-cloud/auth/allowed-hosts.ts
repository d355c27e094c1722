import { hostname, networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../../common/http/loopback-guard';

/**
 * The host names, besides loopback ones, that requests to planes bound to `host` may be addressed
 * to: none on a loopback address; the address itself, and — bound to every interface — each
 * interface's address and this machine's name.
 */
export function allowedHostsFor(host: string): string[] {
  if (isLoopbackHost(host)) return [];
  if (host !== '0.0.0.0' && host !== '::') return [host.toLowerCase()];
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((address) => address.address.toLowerCase());
  // The bound address too: the URLs in cloud.json name it, and connecting to it reaches this machine.
  return [...new Set([host, hostname().toLowerCase(), ...addresses])];
}
