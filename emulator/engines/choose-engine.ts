import { UserError } from '../../common/errors';
import { DockerEngine, dockerFromEnvironment } from './docker-engine';
import type { Engine } from './engine';
import { ProcessEngine } from './process-engine';

export type EngineName = 'docker' | 'process';

/** `docker` when asked or when an engine answers; `process` otherwise. */
export async function chooseEngine(requested?: EngineName): Promise<Engine> {
  if (requested === 'process') return new ProcessEngine();
  const docker = dockerFromEnvironment();
  const answers = await docker.ping().then(
    () => true,
    () => false,
  );
  if (answers) return new DockerEngine({ docker });
  if (requested === 'docker') {
    throw new UserError(`no Docker engine answers at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'}`, {
      hint: 'Start Docker (or set DOCKER_HOST), or run with --engine process.',
    });
  }
  return new ProcessEngine();
}
