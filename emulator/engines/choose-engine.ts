import { UserError } from '../../common/errors';
import type { EmulatorLogger } from '../logger';
import { DockerEngine, dockerFromEnvironment, type RuntimeUse } from './docker-engine';
import type { Engine } from './engine';
import { ProcessEngine } from './process-engine';
import type { RuntimeImageSettings } from './runtime-images';

export type EngineName = 'docker' | 'process';

/**
 * `docker` when asked; otherwise docker when an engine answers and has a runtime image for every
 * runtime the service uses, else the process engine — saying why, so nobody wonders.
 */
export async function chooseEngine(
  requested?: EngineName,
  context: {
    runtimes?: RuntimeUse[];
    runtimeImages?: RuntimeImageSettings;
    /** Between SIGTERM and SIGKILL when an instance is stopped. */
    stopGraceMs?: number;
    logger?: EmulatorLogger;
  } = {},
): Promise<Engine> {
  const grace = context.stopGraceMs !== undefined ? { stopGraceMs: context.stopGraceMs } : {};
  if (requested === 'process') return new ProcessEngine(grace);
  const docker = dockerFromEnvironment();
  const answers = await docker.ping().then(
    () => true,
    () => false,
  );
  if (!answers) {
    if (requested === 'docker') {
      throw new UserError(
        `no Docker engine answers at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'}`,
        {
          hint: 'Start Docker (or set DOCKER_HOST), or run with --engine process.',
        },
      );
    }
    context.logger?.line(
      'faasport',
      'no Docker engine answers: using the process engine (less isolation, no memory limit by the kernel)',
    );
    return new ProcessEngine(grace);
  }
  const engine = new DockerEngine({
    docker,
    ...grace,
    ...(context.runtimeImages ? { runtimeImages: context.runtimeImages } : {}),
  });
  if (requested !== 'docker' && context.runtimes?.length) {
    const missing = await engine.missingRuntimeImages(context.runtimes);
    if (missing.length) {
      context.logger?.line(
        'faasport',
        `no runtime image for ${missing.join(', ')}: using the process engine (build them with \`bash scripts/runtime-images.sh\` for the docker engine)`,
      );
      return new ProcessEngine(grace);
    }
  }
  return engine;
}
