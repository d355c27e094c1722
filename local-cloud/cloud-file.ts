import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../common/errors';
import { LOCAL_STATE } from '../common/local-state';
import { type CloudAuth, parseCloudAuth } from './auth/cloud-auth';
import { type AzureLocalEndpoints, parseAzureEndpoints } from './azure/azure-plane';
import { type GcpLocalEndpoints, parseGcpEndpoints } from './gcp/gcp-plane';

/**
 * Where the local control planes listen: what `faasport emulate --cloud` writes to
 * `.faasport/cloud.json` in the service folder, and what `sls deploy --local-cloud` reads (from
 * that file, another file, or the URL of a running control plane).
 */
export interface LocalCloudEndpoints {
  aws: {
    region: string;
    accountId: string;
    /** Lambda control plane (and its request log). */
    lambda: string;
    /** S3 subset for staging large zips. */
    s3: string;
  };
  /** Absent in files written before the Azure and Google Cloud planes existed. */
  azure?: AzureLocalEndpoints;
  gcp?: GcpLocalEndpoints;
  /** What the planes take from a caller: made at each start, kept in the file (owner-only). */
  auth: CloudAuth;
}

export async function writeCloudFile(serviceDir: string, endpoints: LocalCloudEndpoints): Promise<string> {
  const file = join(serviceDir, LOCAL_STATE.cloudFile);
  await mkdir(dirname(file), { recursive: true });
  // It holds the planes' secret: readable by its owner only, from the moment it exists.
  await rm(`${file}.tmp`, { force: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(`${file}.tmp`, file);
  return file;
}

export async function readCloudFile(file: string): Promise<LocalCloudEndpoints> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read the local cloud file ${file} (${(error as NodeJS.ErrnoException).code})`,
      {
        hint: 'Start the local control planes with `faasport emulate --cloud` in the service folder, or pass --local-cloud <file|url>.',
        exitCode: 2,
      },
    );
  }
  return parseCloudEndpoints(text, file);
}

export function parseCloudEndpoints(text: string, where: string): LocalCloudEndpoints {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`${where} is not JSON`, { exitCode: 2 });
  }
  const aws = (parsed as { aws?: Record<string, unknown> } | null)?.aws;
  const ok =
    aws &&
    typeof aws.region === 'string' &&
    typeof aws.accountId === 'string' &&
    isHttpUrl(aws.lambda) &&
    isHttpUrl(aws.s3);
  if (!ok) {
    throw new UserError(`${where}: expected {"aws": {"region", "accountId", "lambda": <url>, "s3": <url>}}`, {
      hint: 'Let `faasport emulate --cloud` write it.',
      exitCode: 2,
    });
  }
  const auth = parseCloudAuth((parsed as { auth?: unknown }).auth);
  if (!auth) {
    throw new UserError(
      `${where}: no credentials for the local control planes (written by an older faasport?)`,
      {
        hint: 'Restart `faasport emulate --cloud` so it writes the file again.',
        exitCode: 2,
      },
    );
  }
  const endpoints: LocalCloudEndpoints = { aws: aws as unknown as LocalCloudEndpoints['aws'], auth };
  for (const [provider, parse] of [
    ['azure', parseAzureEndpoints],
    ['gcp', parseGcpEndpoints],
  ] as const) {
    const part: unknown = (parsed as Record<string, unknown>)[provider];
    if (part === undefined) continue;
    const valid = parse(part);
    if (!valid) {
      throw new UserError(`${where}: the "${provider}" endpoints are not valid`, {
        hint: 'Let `faasport emulate --cloud` write the file again.',
        exitCode: 2,
      });
    }
    Object.assign(endpoints, { [provider]: valid });
  }
  return endpoints;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
