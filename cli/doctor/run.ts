import { type CheckResult, type DoctorReport, report } from './check';
import { checkCloudCredentials } from './credentials';
import {
  checkDockerEngine,
  type DockerEndpoint,
  type DockerProbe,
  dockerEndpoint,
  dockerodeProbe,
} from './docker';
import { type DoctorHost, realHost } from './host';
import { checkNodeVersion } from './node-version';
import { checkRegistry, type Fetch } from './registry';
import { checkRuntimeImages } from './runtime-images';
import { checkServerlessFramework, diskLocator, type FrameworkLocator } from './serverless-framework';
import { checkSkopeo, execVersion, type VersionReader } from './skopeo';

export interface DoctorOptions {
  /** host[:port] of a registry to check; the check is required when given. */
  registry?: string;
}

/** Everything the checks touch outside the process; `realDependencies()` in production. */
export interface DoctorDependencies {
  host: DoctorHost;
  docker(endpoint: DockerEndpoint): DockerProbe;
  fetch: Fetch;
  frameworks: FrameworkLocator;
  readVersion: VersionReader;
}

export function realDependencies(): DoctorDependencies {
  const host = realHost();
  return {
    host,
    docker: (endpoint) => dockerodeProbe(endpoint),
    fetch: (url, init) => fetch(url, init),
    frameworks: diskLocator(host),
    readVersion: execVersion,
  };
}

/** Runs every check (independent ones concurrently) and returns them in a fixed order. */
export async function runDoctor(options: DoctorOptions, deps: DoctorDependencies): Promise<DoctorReport> {
  const endpoint = dockerEndpoint(deps.host.env);
  const probe = deps.docker(endpoint);
  const dockerCheck = checkDockerEngine(deps.host, endpoint, probe);
  const imagesCheck = dockerCheck.then((docker) =>
    checkRuntimeImages(docker.status === 'ok' ? probe : undefined),
  );
  const registryCheck: Promise<CheckResult[]> =
    options.registry === undefined
      ? Promise.resolve([])
      : checkRegistry(options.registry, deps.fetch).then((c) => [c]);
  const [docker, registry, images, skopeo] = await Promise.all([
    dockerCheck,
    registryCheck,
    imagesCheck,
    checkSkopeo(deps.host, deps.readVersion),
  ]);
  return report([
    checkNodeVersion(deps.host.nodeVersion, deps.host.env.FAASPORT_USER_NODE),
    docker,
    ...registry,
    ...images,
    checkServerlessFramework(deps.frameworks),
    skopeo,
    ...checkCloudCredentials(deps.host),
  ]);
}
