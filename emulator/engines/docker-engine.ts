import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { UserError } from '../../common/errors';
import { linkedDependencies } from '../code/dependency-folders';
import type { EmulatorLogger } from '../logger';
import { containerPeakMemoryBytes } from './cgroup-memory';
import { type DockerNetwork, resolveDockerNetwork } from './docker-network';
import {
  DEFAULT_STOP_GRACE_MS,
  type Engine,
  type EngineInstance,
  type InstanceExit,
  type InstancePaths,
  type InstanceSpec,
  type PrepareContext,
  type RuntimeUse,
} from './engine';
import { instanceOutputLines } from './log-line-limit';
import { RUNTIMES_DIR } from './process-engine';
import {
  CannotBuild,
  localRuntimeOf,
  RuntimeImageBuilder,
  type RuntimeImageBuildOptions,
} from './runtime-image-build';
import {
  chooseRuntimeImage,
  type RuntimeImageChoice,
  type RuntimeImageSettings,
  type RuntimeProvider,
  runtimeImageCandidates,
} from './runtime-images';

const OWNER_LABEL = 'org.faasport.owner';
const TASK_ROOT = '/var/task';
const RUNTIME_DIR = '/var/runtime/faasport';

export interface DockerEngineOptions {
  docker?: Docker;
  /**
   * `host` (default) keeps the Runtime API and instance ports on loopback; the name of a Docker
   * network (`--docker-network`) makes instances join it, reachable by their function's name.
   */
  network?: string;
  /** Between SIGTERM and SIGKILL when an instance is stopped (default 10 s; docker counts whole seconds). */
  stopGraceMs?: number;
  /** Images the user configured (`custom.faasport.runtimeImages` / `awsBaseImages`). */
  runtimeImages?: RuntimeImageSettings;
  /** How missing faasport/runtime-* images are built on first use (tests swap the Node source). */
  runtimeImageBuild?: RuntimeImageBuildOptions;
}

export type { PrepareContext, RuntimeUse } from './engine';

/** Docker connection from DOCKER_HOST (unix sockets and tcp) or the default socket. */
export function dockerFromEnvironment(): Docker {
  const host = process.env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

/**
 * Runs each instance in a container: the function's code mounted read-only at /var/task, the
 * memory limit enforced by the kernel, OOM kills reported. Containers carry the owner's pid so a
 * later run can remove what a crashed run left behind without touching a live emulator's.
 */
export class DockerEngine implements Engine {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly network: string;
  private joined: Promise<DockerNetwork> | undefined;
  private readonly imageChoice = new Map<string, Promise<RuntimeImageChoice>>();
  /** One build or pull per image, however many functions and providers need it. */
  private readonly provisioning = new Map<string, Promise<void>>();

  constructor(private readonly options: DockerEngineOptions = {}) {
    this.docker = options.docker ?? dockerFromEnvironment();
    this.network = options.network ?? 'host';
  }

  paths(): InstancePaths {
    return { taskRoot: TASK_ROOT, runtimeDir: RUNTIME_DIR };
  }

  /** Instances on a network of their own listen on every address of theirs; their ports are published on loopback. */
  get instanceListenHost(): string {
    return this.bridged ? '0.0.0.0' : '127.0.0.1';
  }

  async hostForInstances(): Promise<string> {
    return this.bridged ? (await this.joinedNetwork()).gateway : '127.0.0.1';
  }

  private get bridged(): boolean {
    return this.network !== 'host';
  }

  /** The network instances join, looked up once (UserError when it does not exist). */
  private joinedNetwork(): Promise<DockerNetwork> {
    this.joined ??= resolveDockerNetwork(this.docker, this.network);
    return this.joined;
  }

  async start(spec: InstanceSpec): Promise<EngineInstance> {
    const gateway = this.bridged ? (await this.joinedNetwork()).gateway : '127.0.0.1';
    const ports = this.bridged ? (spec.ports ?? []) : [];
    const withListenHost: InstanceSpec = this.bridged
      ? { ...spec, env: { ...spec.env, FAASPORT_LISTEN_HOST: '0.0.0.0' } }
      : spec;
    const container = await this.docker.createContainer({
      name: `faasport-${spec.name}`,
      ...(spec.image
        ? await this.imageContainer(withListenHost, spec.image, gateway)
        : await this.zipContainer(withListenHost, gateway)),
      Labels: { faasport: 'true', [OWNER_LABEL]: String(process.pid), ...spec.labels },
      ...(ports.length ? { ExposedPorts: Object.fromEntries(ports.map((port) => [`${port}/tcp`, {}])) } : {}),
      ...(this.bridged
        ? {
            // Compose services reach an instance by its function's name (any instance of it).
            NetworkingConfig: {
              EndpointsConfig: { [this.network]: { Aliases: aliases(spec) } },
            },
          }
        : {}),
    });
    const stdout = instanceOutputLines(spec, 'stdout');
    const stderr = instanceOutputLines(spec, 'stderr');
    const out = new PassThrough().on('data', (chunk: Buffer) => stdout.write(chunk));
    const err = new PassThrough().on('data', (chunk: Buffer) => stderr.write(chunk));
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    container.modem.demuxStream(stream, out, err);
    let killedByUs = false;
    let peakBytes = 0;
    // Before start, only 'next-exit' waits: the default condition returns at once for a created container.
    const waited = container.wait({ condition: 'next-exit' });
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }

    const sample = () =>
      containerPeakMemoryBytes(container.id).then((bytes) => {
        peakBytes = Math.max(peakBytes, bytes ?? 0);
      });
    const poll = setInterval(sample, 500);
    poll.unref();
    void sample();

    const exited: Promise<InstanceExit> = waited.then(
      async (result: { StatusCode: number }) => {
        clearInterval(poll);
        stdout.end();
        stderr.end();
        const state = await container.inspect().then(
          (info) => info.State,
          () => undefined,
        );
        await container.remove({ force: true }).catch(() => undefined);
        return {
          code: result.StatusCode,
          signal: result.StatusCode === 137 ? 'SIGKILL' : null,
          outOfMemory: !killedByUs && state?.OOMKilled === true,
        };
      },
      () => {
        clearInterval(poll);
        return { code: null, signal: null, outOfMemory: false };
      },
    );
    return {
      id: container.id.slice(0, 12),
      exited,
      async kill() {
        killedByUs = true;
        await container.kill().catch(() => undefined);
        await exited;
      },
      stop: async () => {
        killedByUs = true;
        // `docker stop`: the image's stop signal (SIGTERM), then SIGKILL after t seconds.
        const seconds = Math.ceil((this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS) / 1000);
        await container.stop({ t: seconds }).catch(() => undefined);
        await exited;
      },
      peakMemoryMb: () => (peakBytes > 0 ? Math.ceil(peakBytes / 1024 / 1024) : undefined),
    };
  }

  private hostConfig(spec: InstanceSpec, binds: string[], gateway: string): Docker.HostConfig {
    const ports = this.bridged ? (spec.ports ?? []) : [];
    return {
      Binds: binds,
      NetworkMode: this.network,
      // This machine by the name Docker Desktop gives it: its loopback on the host network, the
      // network's gateway (where the Runtime API listens) otherwise.
      ExtraHosts: [`host.docker.internal:${gateway}`],
      ...(ports.length
        ? {
            PortBindings: Object.fromEntries(
              ports.map((port) => [`${port}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(port) }]]),
            ),
          }
        : {}),
      Memory: spec.memoryMb * 1024 * 1024,
      MemorySwap: spec.memoryMb * 1024 * 1024,
      Tmpfs: { '/tmp': 'rw,exec,size=512m' },
      // An init as PID 1 forwards SIGTERM: the kernel drops it for a PID 1 without a handler.
      Init: true,
    };
  }

  /** A zip artefact on a runtime image: the code mounted read-only, a runtime client in front. */
  private async zipContainer(spec: InstanceSpec, gateway: string): Promise<Docker.ContainerCreateOptions> {
    const choice = await this.chooseImage(spec.provider, spec.runtimeId);
    const interpreter = spec.language === 'python' ? 'python3' : 'node';
    const binds = [`${spec.codeDir}:${TASK_ROOT}:ro`];
    // A code folder's node_modules may link to its shared dependencies (code/dependency-folders.ts):
    // mounted at the same path, the link resolves inside the container too.
    const dependencies = await linkedDependencies(spec.codeDir);
    if (dependencies) binds.push(`${dependencies}:${dependencies}:ro`);
    if (!choice.official) binds.push(`${RUNTIMES_DIR}:${RUNTIME_DIR}:ro`);
    return {
      Image: choice.image,
      // An official base image runs its own runtime client; ours runs faasport's bootstrap.
      Cmd: choice.official ? [spec.env._HANDLER ?? ''] : [interpreter, `${RUNTIME_DIR}/${spec.bootstrap}`],
      Env: environment({ PATH: '/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin', ...spec.env }),
      WorkingDir: TASK_ROOT,
      HostConfig: this.hostConfig(spec, binds, gateway),
    };
  }

  /** An image artefact runs as built (its entrypoint and command) against our Runtime API. */
  private async imageContainer(
    spec: InstanceSpec,
    image: string,
    gateway: string,
  ): Promise<Docker.ContainerCreateOptions> {
    await this.ensureImage(image);
    const env = Object.fromEntries(
      Object.entries(spec.env).filter(
        ([key]) => !['PATH', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', '_HANDLER'].includes(key),
      ),
    );
    if (spec.env._HANDLER) env._HANDLER = spec.env._HANDLER;
    return { Image: image, Env: environment(env), HostConfig: this.hostConfig(spec, [], gateway) };
  }

  async imageId(reference: string): Promise<string | undefined> {
    return this.docker
      .getImage(reference)
      .inspect()
      .then(
        (info) => info.Id,
        (error: { statusCode?: number }) => {
          if (error.statusCode === 404) return undefined;
          throw error;
        },
      );
  }

  private async ensureImage(image: string): Promise<void> {
    const present = await this.docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (present) return;
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (error: Error | null) =>
          error ? reject(error) : resolve(),
        );
      });
    } catch (error) {
      throw new UserError(`cannot pull image ${image}: ${(error as Error).message}`, {
        hint: 'Check the reference and that the registry is reachable (docker login for private registries).',
      });
    }
  }

  async cleanup(): Promise<void> {
    const leftovers = await this.docker.listContainers({ all: true, filters: { label: ['faasport=true'] } });
    await Promise.all(
      leftovers
        .filter((info) => !isAlive(Number(info.Labels[OWNER_LABEL])))
        .map((info) =>
          this.docker
            .getContainer(info.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
    );
  }

  /**
   * Before anything listens: every runtime the functions use has an image on this engine. A
   * missing faasport/runtime-* image is built from the host (once: the next start finds it);
   * when it cannot be, the cloud's base image is pulled if it publishes one. When neither works,
   * a UserError says what to run.
   */
  async prepareRuntimes(uses: RuntimeUse[], context: PrepareContext): Promise<void> {
    // A network that does not exist stops the start here, before anything listens.
    if (this.bridged) await this.joinedNetwork();
    const seen = new Set<string>();
    for (const { provider, runtimeId } of uses) {
      const key = `${provider} ${runtimeId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const missing = await this.chooseImage(provider, runtimeId).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (missing === undefined) continue;
      // A runtime no image runs fails its own requests, as on the process engine.
      let candidates: RuntimeImageChoice[];
      try {
        candidates = runtimeImageCandidates(provider, runtimeId, this.options.runtimeImages);
      } catch {
        continue;
      }
      // An image the user configured is theirs to provide: its absence stops the start.
      const local = candidates.find((candidate) => localRuntimeOf(candidate.image));
      if (!local) throw missing;
      await this.provision(local.image, candidates, runtimeId, context);
      await this.chooseImage(provider, runtimeId);
    }
  }

  private provision(
    image: string,
    candidates: RuntimeImageChoice[],
    runtimeId: string,
    context: PrepareContext,
  ): Promise<void> {
    let pending = this.provisioning.get(image);
    if (!pending) {
      pending = this.buildOrPull(image, candidates, runtimeId, context);
      this.provisioning.set(image, pending);
      pending.catch(() => this.provisioning.delete(image));
    }
    return pending;
  }

  private async buildOrPull(
    image: string,
    candidates: RuntimeImageChoice[],
    runtimeId: string,
    context: PrepareContext,
  ): Promise<void> {
    const builder = new RuntimeImageBuilder(this.docker, {
      ...(context.serviceDir ? { serviceDir: context.serviceDir } : {}),
      ...this.options.runtimeImageBuild,
    });
    let cannot: CannotBuild;
    try {
      await builder.build(image, context.logger);
      return;
    } catch (error) {
      if (!(error instanceof CannotBuild)) {
        throw new UserError(`building ${image} failed: ${(error as Error).message}`, {
          hint: 'Run `faasport doctor`; or use --engine process.',
        });
      }
      cannot = error;
    }
    const pulls: string[] = [];
    for (const official of candidates.filter((candidate) => candidate.official)) {
      try {
        await this.pull(official.image, context.logger);
        return;
      } catch (error) {
        // dockerode prefixes the engine's message with its HTTP status.
        const reason = (error as Error).message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
        pulls.push(`pulling ${official.image} failed (${reason})`);
      }
    }
    throw new UserError([`no runtime image for ${runtimeId}: ${cannot.message}`, ...pulls].join('; '), {
      hint: `To fix it: ${cannot.hint}.`,
    });
  }

  /** `docker pull`, with a line every few seconds while it runs. */
  private async pull(image: string, logger: EmulatorLogger): Promise<void> {
    logger.line('faasport', `pulling ${image}…`);
    const started = Date.now();
    const stream = await this.docker.pull(image);
    let last = '';
    const progress = setInterval(() => {
      if (last) logger.line('faasport', `${image}: ${last}`);
    }, 3000);
    progress.unref();
    try {
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (error: Error | null, events: { error?: string }[]) => {
            const failed = error?.message ?? events.find((event) => event.error)?.error;
            if (failed) reject(new Error(failed));
            else resolve();
          },
          (event: { status?: string; progress?: string }) => {
            last = [event.status, event.progress].filter(Boolean).join(' ');
          },
        );
      });
    } finally {
      clearInterval(progress);
    }
    logger.line('faasport', `pulled ${image} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private chooseImage(provider: RuntimeProvider, runtimeId: string): Promise<RuntimeImageChoice> {
    const key = `${provider} ${runtimeId}`;
    let choice = this.imageChoice.get(key);
    if (!choice) {
      choice = this.findImage(provider, runtimeId);
      this.imageChoice.set(key, choice);
      choice.catch(() => this.imageChoice.delete(key));
    }
    return choice;
  }

  private findImage(provider: RuntimeProvider, runtimeId: string): Promise<RuntimeImageChoice> {
    return chooseRuntimeImage(provider, runtimeId, this.options.runtimeImages ?? {}, (image) =>
      this.docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    );
  }
}

function environment(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The network aliases of an instance: its function's deployed name. */
function aliases(spec: InstanceSpec): string[] {
  const name = spec.labels['org.faasport.function'];
  return name ? [name] : [];
}
