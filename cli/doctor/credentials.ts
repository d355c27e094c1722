import { join } from 'node:path';
import type { CheckResult } from './check';
import type { DoctorHost } from './host';

/**
 * Cloud credentials, by presence only: which standard source would be used, never a value.
 * Not required: only `sls deploy` to a real cloud needs them.
 */
interface Source {
  /** What is shown to the user: an environment variable's name or a file's path. */
  label: string;
  found(host: DoctorHost): boolean;
}

const envSet = (...names: string[]): Source => ({
  label: names.join(' + '),
  found: (host) => names.every((name) => (host.env[name] ?? '') !== ''),
});

const file = (label: string, path: (host: DoctorHost) => string): Source => ({
  label,
  found: (host) => host.exists(path(host)),
});

const awsDir = (host: DoctorHost) => join(host.home, '.aws');
const azureDir = (host: DoctorHost) => host.env.AZURE_CONFIG_DIR || join(host.home, '.azure');
const gcloudDir = (host: DoctorHost) => host.env.CLOUDSDK_CONFIG || join(host.home, '.config', 'gcloud');

const CLOUDS: { name: string; chain: string; sources: Source[] }[] = [
  {
    name: 'AWS',
    chain: 'the AWS SDK default chain',
    sources: [
      envSet('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'),
      envSet('AWS_PROFILE'),
      envSet('AWS_WEB_IDENTITY_TOKEN_FILE'),
      envSet('AWS_CONTAINER_CREDENTIALS_FULL_URI'),
      envSet('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'),
      file('AWS_SHARED_CREDENTIALS_FILE', (host) => host.env.AWS_SHARED_CREDENTIALS_FILE ?? ''),
      file('~/.aws/credentials', (host) => join(awsDir(host), 'credentials')),
      file('~/.aws/config', (host) => join(awsDir(host), 'config')),
    ],
  },
  {
    name: 'Azure',
    chain: 'DefaultAzureCredential',
    sources: [
      envSet('AZURE_CLIENT_ID', 'AZURE_TENANT_ID'),
      file('~/.azure (az login)', (host) => join(azureDir(host), 'azureProfile.json')),
      file('~/.azure (az login)', (host) => join(azureDir(host), 'msal_token_cache.json')),
    ],
  },
  {
    name: 'GCP',
    chain: 'Application Default Credentials',
    sources: [
      envSet('GOOGLE_APPLICATION_CREDENTIALS'),
      file('~/.config/gcloud/application_default_credentials.json', (host) =>
        join(gcloudDir(host), 'application_default_credentials.json'),
      ),
    ],
  },
];

export function checkCloudCredentials(host: DoctorHost): CheckResult[] {
  return CLOUDS.map(({ name, chain, sources }) => {
    const found = sources.filter((source) => source.found(host)).map((source) => source.label);
    const unique = [...new Set(found)];
    return unique.length > 0
      ? { name: `${name} credentials`, status: 'ok', required: false, detail: `found: ${unique.join(', ')}` }
      : {
          name: `${name} credentials`,
          status: 'warn',
          required: false,
          detail: `none found for ${chain} (needed only to deploy to ${name})`,
        };
  });
}
