import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Defences for servers meant only for this machine (the local control planes, the console).
 * A page on another site can make a browser send requests to 127.0.0.1: DNS rebinding makes its
 * Host header a name that is not loopback, and a cross-origin POST carries that page's Origin.
 * Both are refused here; a request from a script (no Origin) passes on to the server's own
 * authentication.
 */

/** The host part of a Host header or URL host: `[::1]:3000` → `::1`, `localhost:80` → `localhost`. */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostName(host.trim().toLowerCase());
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/** True when an Origin header names a loopback http(s) origin. `null` (sandboxed frames, files) is not. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.host);
  } catch {
    return false;
  }
}

/**
 * Why a request must be refused before it reaches a local-only server, or undefined when it may
 * go on. `allowedHosts` widens the Host check for a server the user deliberately exposed.
 */
export function nonLoopbackReason(
  req: IncomingMessage,
  allowedHosts: readonly string[] = [],
): string | undefined {
  const host = req.headers.host;
  if (!isLoopbackHost(host) && !allowedHosts.includes(hostName((host ?? '').toLowerCase()))) {
    return `Host ${JSON.stringify(host ?? '')} is not this machine's loopback address`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !isLoopbackOrigin(origin)) {
    return `Origin ${JSON.stringify(origin)} is not a page served from this machine`;
  }
  return undefined;
}
