import Docker from 'dockerode';
import { RuntimeImageBuilder } from '../../emulator/engines/runtime-image-build';
import type { CheckResult } from './check';
import type { DoctorHost } from './host';

/** Where the Docker engine should answer: DOCKER_HOST, else the default unix socket. */
export interface DockerEndpoint {
  /** As a user would write DOCKER_HOST, e.g. `unix:///var/run/docker.sock`. */
  address: string;
  /** The unix socket path, when the endpoint is one. */
  socketPath?: string;
  fromEnv: boolean;
}

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

export function dockerEndpoint(env: DoctorHost['env']): DockerEndpoint {
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) {
    const socketPath = fromEnv.startsWith('unix://') ? fromEnv.slice('unix://'.length) : undefined;
    return socketPath ? { address: fromEnv, socketPath, fromEnv: true } : { address: fromEnv, fromEnv: true };
  }
  return { address: `unix://${DEFAULT_DOCKER_SOCKET}`, socketPath: DEFAULT_DOCKER_SOCKET, fromEnv: false };
}

/** The questions doctor asks an engine; dockerode in production, a fake in unit tests. */
export interface DockerProbe {
  version(): Promise<{ Version: string; ApiVersion: string }>;
  /** Whether a local image has this tag. */
  hasImage(reference: string): Promise<boolean>;
  /** The local tags matching a reference pattern (e.g. `public.ecr.aws/lambda/*`). */
  imageTags(pattern: string): Promise<string[]>;
  /** Why faasport could not build one of its runtime images here, or undefined when it could. */
  cannotBuild(image: string): Promise<{ message: string; hint: string } | undefined>;
}

export function dockerodeProbe(endpoint: DockerEndpoint, timeoutMs = 5000): DockerProbe {
  // Without a socket path, dockerode's modem reads DOCKER_HOST (and DOCKER_TLS_VERIFY,
  // DOCKER_CERT_PATH) itself, which covers tcp:// and ssh:// endpoints.
  const docker = endpoint.socketPath
    ? new Docker({ socketPath: endpoint.socketPath, timeout: timeoutMs })
    : new Docker({ timeout: timeoutMs });
  return {
    version: () => docker.version(),
    hasImage: async (reference) => {
      try {
        await docker.getImage(reference).inspect();
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    },
    imageTags: async (pattern) =>
      (await docker.listImages({ filters: { reference: [pattern] } }))
        .flatMap((image) => image.RepoTags ?? [])
        .filter((tag) => tag !== '<none>:<none>')
        .sort(),
    cannotBuild: (image) => new RuntimeImageBuilder(docker, { serviceDir: process.cwd() }).cannotBuild(image),
  };
}

const describe = (error: unknown): string =>
  (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));

/**
 * Not required: the process engine runs functions without Docker. A missing engine is a warning
 * that says how to get one.
 */
export async function checkDockerEngine(
  host: DoctorHost,
  endpoint: DockerEndpoint,
  probe: DockerProbe,
): Promise<CheckResult> {
  const name = 'Docker engine';
  const hint =
    'the emulator falls back to the process engine; `bash scripts/services.sh start` installs and starts dockerd';
  if (endpoint.socketPath && !host.exists(endpoint.socketPath)) {
    return { name, status: 'warn', required: false, detail: `no socket at ${endpoint.socketPath}: ${hint}` };
  }
  try {
    const version = await probe.version();
    return {
      name,
      status: 'ok',
      required: false,
      detail: `${version.Version} (API ${version.ApiVersion}) at ${endpoint.address}`,
    };
  } catch (error) {
    return {
      name,
      status: 'warn',
      required: false,
      detail: `no answer at ${endpoint.address} (${describe(error)}): ${hint}`,
    };
  }
}
