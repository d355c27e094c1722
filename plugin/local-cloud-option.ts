import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../common/errors';
import { LOCAL_STATE } from '../common/local-state';
import { type LocalCloudEndpoints, readCloudFile } from '../local-cloud/cloud-file';
import { ENDPOINTS_PATH } from '../local-cloud/control-plane-server';

export const LOCAL_CLOUD_ENV = 'FAASPORT_LOCAL_CLOUD';

/**
 * `--local-cloud <folder|file|url>` or `FAASPORT_LOCAL_CLOUD`: where the local control planes
 * listen. A folder means its `.faasport/cloud.json` (which `faasport emulate --cloud` writes), so
 * `--local-cloud .` is this service; `1`/`true` in the environment too. A URL is asked for its
 * endpoints. Nothing = the real clouds.
 */
export async function resolveLocalCloud(
  option: string | boolean | null | undefined | string[],
  env: NodeJS.ProcessEnv,
  serviceDir: string,
): Promise<LocalCloudEndpoints | undefined> {
  const value = option ?? env[LOCAL_CLOUD_ENV];
  if (value === undefined || value === false || value === '' || value === '0' || value === 'false')
    return undefined;
  if (Array.isArray(value)) throw new UserError('--local-cloud is given more than once', { exitCode: 2 });
  if (value === true || value === null || value === '1' || value === 'true') {
    return readCloudFile(join(serviceDir, LOCAL_STATE.cloudFile));
  }
  if (/^https?:\/\//.test(value)) return fetchEndpoints(value, serviceDir);
  const path = resolve(value);
  const isFolder = (await stat(path).catch(() => undefined))?.isDirectory() === true;
  return readCloudFile(isFolder ? join(path, LOCAL_STATE.cloudFile) : path);
}

/**
 * The endpoints a running plane publishes, with the credentials from the service's own cloud file
 * (a plane never hands out its secret): it must be the file of that same local cloud.
 */
async function fetchEndpoints(url: string, serviceDir: string): Promise<LocalCloudEndpoints> {
  const target = `${url.replace(/\/+$/, '')}${ENDPOINTS_PATH}`;
  let response: Response;
  try {
    response = await fetch(target);
  } catch (error) {
    throw new UserError(`cannot reach the local cloud at ${url}: ${(error as Error).message}`, {
      hint: 'Start it with `faasport emulate --cloud`, and pass the URL it prints.',
      exitCode: 2,
    });
  }
  if (!response.ok) {
    throw new UserError(`${target} answered ${response.status}: is ${url} a faasport local control plane?`, {
      exitCode: 2,
    });
  }
  const published = (await response.json().catch(() => undefined)) as
    | { aws?: { lambda?: unknown } }
    | undefined;
  const file = join(serviceDir, LOCAL_STATE.cloudFile);
  const local = await readCloudFile(file).catch(() => undefined);
  if (!local || local.aws.lambda !== published?.aws?.lambda) {
    throw new UserError(`${url} is not the local cloud whose credentials are in ${file}`, {
      hint: 'Pass the cloud file that `faasport emulate --cloud` wrote instead: --local-cloud <service folder or .faasport/cloud.json>.',
      exitCode: 2,
    });
  }
  // The credentials go only where the cloud file says the planes are, never to addresses the
  // answer names (it proved only that its Lambda URL is the file's).
  return local;
}
