import Docker from 'dockerode';
import type { ServicesState } from './services-state';

/** A dockerode client for the rig's engine: its unix socket, or a plain tcp:// DOCKER_HOST. */
export function connectDocker(docker: ServicesState['docker']): Docker {
  if (docker.socketPath) return new Docker({ socketPath: docker.socketPath });
  const url = new URL(docker.host.replace(/^tcp:/, 'http:'));
  return new Docker({ protocol: 'http', host: url.hostname, port: Number(url.port || 2375) });
}
