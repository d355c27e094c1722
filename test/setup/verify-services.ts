import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { connectDocker } from './docker-client';
import type { ServicesState } from './services-state';

const start = '`bash scripts/services.sh start`';

/**
 * Checks that every service in the state really answers, so that a broken rig fails the run
 * once, with what is missing and the script that provides it, instead of failing every test.
 */
export async function verifyServices(state: ServicesState): Promise<void> {
  const problems = (
    await Promise.all([
      checkEngine(state),
      checkRegistry(state.registry.host, 200, 'plain OCI registry', join(state.stateDir, 'registry-plain')),
      checkRegistry(
        state.authRegistry.host,
        401,
        'basic-auth OCI registry',
        join(state.stateDir, 'registry-auth'),
      ),
      checkExecutable(state.skopeo, 'skopeo', start),
      ...Object.values(state.runtimeImages).map((tag) => checkImage(state, tag)),
      checkFile(state.frameworks.serverless3, 'serverless@3 CLI', '`npm install` (root devDependency)'),
      checkFile(state.frameworks.osls, 'osls CLI', '`bash scripts/frameworks.sh install`'),
      checkAzurite(state),
      checkNode(state, 'node22', 22),
      checkNode(state, 'node24', 24),
    ])
  ).filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`The test services are not all available:\n- ${problems.join('\n- ')}`);
  }
}

async function checkEngine(state: ServicesState): Promise<string | undefined> {
  try {
    await connectDocker(state.docker).ping();
    return undefined;
  } catch (error) {
    return (
      `Docker engine did not answer on ${state.docker.socketPath || state.docker.host} ` +
      `(${(error as Error).message}) — run ${start}; log at ${join(state.stateDir, 'dockerd.log')} ` +
      'when the script started it'
    );
  }
}

async function checkRegistry(
  host: string,
  expected: number,
  name: string,
  dir: string,
): Promise<string | undefined> {
  const url = `http://${host}/v2/`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    if (response.status === expected) return undefined;
    return `${name} at ${url} answered ${response.status}, expected ${expected} — run ${start}; log at ${dir}/registry.log`;
  } catch (error) {
    return `${name} did not answer on ${url} (${(error as Error).message}) — run ${start}; log at ${dir}/registry.log`;
  }
}

/** Azurite answers as itself (any status: an anonymous list is refused). */
async function checkAzurite(state: ServicesState): Promise<string | undefined> {
  const fix = `run ${start}; log at ${join(state.stateDir, 'azurite', 'azurite.log')}`;
  if (!state.azurite) return `Azurite is missing from services.json — ${fix}`;
  const url = `${state.azurite.blobEndpoint}?comp=list`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    const server = response.headers.get('server');
    if (server?.startsWith('Azurite-Blob')) return undefined;
    return `${url} answered, but not as Azurite (server: ${server ?? 'none'}) — ${fix}`;
  } catch (error) {
    return `Azurite's blob service did not answer on ${url} (${(error as Error).message}) — ${fix}`;
  }
}

/** A Node binary of the install test: there, and the major version it is listed as. */
async function checkNode(
  state: ServicesState,
  key: 'node22' | 'node24',
  major: number,
): Promise<string | undefined> {
  const path = state.nodes?.[key];
  const fix = key === 'node24' ? '`npm ci` (the `node` devDependency)' : start;
  if (!path) return `Node ${major} (nodes.${key}) is missing from services.json — run ${start}`;
  const missing = await checkExecutable(path, `Node ${major}`, fix);
  if (missing) return missing;
  const version = await new Promise<string>((resolve) =>
    execFile(path, ['--version'], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? '' : stdout.trim()),
    ),
  );
  if (version.startsWith(`v${major}.`)) return undefined;
  return `${path} is not Node ${major} (it says "${version || 'nothing'}") — run ${fix}`;
}

async function checkImage(state: ServicesState, tag: string): Promise<string | undefined> {
  try {
    await connectDocker(state.docker).getImage(tag).inspect();
    return undefined;
  } catch {
    return `runtime image ${tag} is missing — run \`bash scripts/runtime-images.sh\` (${start} runs it)`;
  }
}

async function checkExecutable(path: string, name: string, fix: string): Promise<string | undefined> {
  try {
    await access(path, constants.X_OK);
    return undefined;
  } catch {
    return `${name} not found at ${path || '(no path)'} — run ${fix}`;
  }
}

async function checkFile(path: string, name: string, fix: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch {
    return `${name} not found at ${path} — run ${fix}`;
  }
}
