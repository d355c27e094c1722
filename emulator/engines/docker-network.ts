import type Docker from 'dockerode';
import { UserError } from '../../common/errors';

/** A user-defined Docker network instances join (`--docker-network`), and its gateway on this machine. */
export interface DockerNetwork {
  name: string;
  /** The network's gateway address: this machine as its containers reach it. */
  gateway: string;
}

/** Looks the network up once; a missing one is a UserError that says how to make it. */
export async function resolveDockerNetwork(docker: Docker, name: string): Promise<DockerNetwork> {
  const info = (await docker
    .getNetwork(name)
    .inspect()
    .catch(() => undefined)) as { Driver?: string; IPAM?: { Config?: { Gateway?: string }[] } } | undefined;
  if (!info) {
    throw new UserError(`docker network "${name}" does not exist`, {
      hint: `Start the compose project that defines it (docker compose up), or create it: docker network create ${name}`,
    });
  }
  const gateway = info.IPAM?.Config?.find((config) => config.Gateway)?.Gateway;
  if (!gateway) {
    throw new UserError(
      `docker network "${name}" (${info.Driver ?? 'unknown driver'}) has no gateway address`,
      {
        hint: 'Use a bridge network, as docker compose creates.',
      },
    );
  }
  return { name, gateway };
}
