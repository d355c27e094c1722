import { expect, test } from 'vitest';
import { checkCloudCredentials } from '../../../cli/doctor/credentials';
import { fakeHost } from './fake-host';

const byName = (checks: ReturnType<typeof checkCloudCredentials>) =>
  Object.fromEntries(checks.map((check) => [check.name, check]));

test('nothing configured: three warnings, none required', () => {
  const checks = checkCloudCredentials(fakeHost());
  expect(checks.map((c) => [c.name, c.status, c.required])).toEqual([
    ['AWS credentials', 'warn', false],
    ['Azure credentials', 'warn', false],
    ['GCP credentials', 'warn', false],
  ]);
});

test('environment variables are found by name and their values are never printed', () => {
  const secrets = {
    AWS_ACCESS_KEY_ID: 'AKIASECRETVALUE0001',
    AWS_SECRET_ACCESS_KEY: 'very-secret-aws-key',
    AZURE_CLIENT_ID: 'client-id-value',
    AZURE_TENANT_ID: 'tenant-id-value',
    GOOGLE_APPLICATION_CREDENTIALS: '/secret/path/key.json',
  };
  const checks = checkCloudCredentials(fakeHost({ env: secrets }));
  expect(checks.every((c) => c.status === 'ok')).toBe(true);
  const printed = JSON.stringify(checks);
  for (const value of Object.values(secrets)) expect(printed).not.toContain(value);
  const found = byName(checks);
  expect(found['AWS credentials']?.detail).toContain('AWS_ACCESS_KEY_ID');
  expect(found['Azure credentials']?.detail).toContain('AZURE_CLIENT_ID + AZURE_TENANT_ID');
  expect(found['GCP credentials']?.detail).toContain('GOOGLE_APPLICATION_CREDENTIALS');
});

test('an access key id without its secret is not a credential', () => {
  const checks = byName(checkCloudCredentials(fakeHost({ env: { AWS_ACCESS_KEY_ID: 'AKIA' } })));
  expect(checks['AWS credentials']?.status).toBe('warn');
});

test('the standard files in the home folder count', () => {
  const checks = byName(
    checkCloudCredentials(
      fakeHost({
        files: [
          '/home/tester/.aws/credentials',
          '/home/tester/.azure/azureProfile.json',
          '/home/tester/.config/gcloud/application_default_credentials.json',
        ],
      }),
    ),
  );
  expect(checks['AWS credentials']).toMatchObject({ status: 'ok', detail: 'found: ~/.aws/credentials' });
  expect(checks['Azure credentials']?.status).toBe('ok');
  expect(checks['GCP credentials']?.status).toBe('ok');
});

test('AZURE_CONFIG_DIR and CLOUDSDK_CONFIG move the files they name', () => {
  const host = fakeHost({
    env: { AZURE_CONFIG_DIR: '/cfg/az', CLOUDSDK_CONFIG: '/cfg/gcloud' },
    files: ['/cfg/az/msal_token_cache.json', '/cfg/gcloud/application_default_credentials.json'],
  });
  const checks = byName(checkCloudCredentials(host));
  expect(checks['Azure credentials']?.status).toBe('ok');
  expect(checks['GCP credentials']?.status).toBe('ok');
});
