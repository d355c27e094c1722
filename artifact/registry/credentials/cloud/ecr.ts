import { UserError } from '../../../../common/errors';
import { type CredentialProvider, describedProvider } from '../credential';
import { type AwsCredentials, signRequest } from './sigv4';

export interface EcrOptions {
  /** AWS credentials, e.g. from the SDK's default chain. */
  credentials: () => Promise<AwsCredentials>;
  /** Default: taken from the registry host `<account>.dkr.ecr.<region>.amazonaws.com`. */
  region?: string;
  /** Default `https://api.ecr.<region>.amazonaws.com` (tests point it at a stand-in). */
  endpoint?: string;
  /** Which registries this provider answers for. Default: ECR hosts. */
  matches?: (registry: string) => boolean;
  fetch?: typeof fetch;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
/** Renew before ECR's 12-hour tokens lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * ECR: GetAuthorizationToken (SigV4, service `ecr`) gives base64 `AWS:<password>` for Basic
 * auth, valid 12 hours; cached per registry until shortly before it expires.
 */
export function ecrCredentials(options: EcrOptions): CredentialProvider {
  const cache = new Map<string, { username: string; password: string; expiresAt: number }>();
  const matches = options.matches ?? ((registry: string) => ECR_HOST.test(registry));
  return describedProvider(async (registry) => {
    if (!matches(registry)) return undefined;
    const cached = cache.get(registry);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > Date.now()) {
      return { username: cached.username, password: cached.password, source: 'ECR GetAuthorizationToken' };
    }
    const region = options.region ?? ECR_HOST.exec(registry)?.[2];
    if (!region) throw new UserError(`cannot tell the AWS region of ${registry}; pass it explicitly`);
    const token = await getAuthorizationToken(region, options);
    cache.set(registry, token);
    return { username: token.username, password: token.password, source: 'ECR GetAuthorizationToken' };
  }, 'ECR GetAuthorizationToken with the AWS credential chain');
}

async function getAuthorizationToken(
  region: string,
  options: EcrOptions,
): Promise<{ username: string; password: string; expiresAt: number }> {
  const url = new URL(options.endpoint ?? `https://api.ecr.${region}.amazonaws.com/`);
  const body = '{}';
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
    body,
    region,
    service: 'ecr',
    credentials: await options.credentials(),
  });
  delete headers.host; // fetch sets it
  const response = await (options.fetch ?? fetch)(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) {
    const { __type: type, message } = safeJson(text) as { __type?: string; message?: string };
    throw new UserError(
      `ECR GetAuthorizationToken failed in ${region} (${response.status}${type ? ` ${type}` : ''}${message ? `: ${message}` : ''})`,
      {
        hint: 'Check the AWS credentials and that they allow ecr:GetAuthorizationToken.',
      },
    );
  }
  const data = (
    safeJson(text) as { authorizationData?: { authorizationToken?: string; expiresAt?: number }[] }
  ).authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new UserError(`ECR GetAuthorizationToken in ${region} returned no usable token`);
  const expiresAt = typeof data?.expiresAt === 'number' ? data.expiresAt * 1000 : Date.now() + 12 * 3600_000;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
