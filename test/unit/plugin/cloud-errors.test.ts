import { describe, expect, test } from 'vitest';
import { isUserError, type UserError } from '../../../common/errors';
import { awsErrorExplainer } from '../../../plugin/deployers/aws/aws-errors';
import { azureErrorExplainer } from '../../../plugin/deployers/azure/azure-errors';
import { gcpErrorExplainer } from '../../../plugin/deployers/gcp/gcp-errors';
import type { TargetDeployer } from '../../../plugin/deployers/target-deployer';
import { explainingErrors, sdkDetail } from '../../../plugin/deployers/user-errors';
import type { DeployUnit } from '../../../plugin/planner/deploy-units';

const named = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name }, extra);
const unit = { fn: { key: 'hello', name: 'svc-dev-hello' } } as DeployUnit;
const aws = awsErrorExplainer({ region: 'eu-west-1', localEndpoint: undefined });
const awsLocal = awsErrorExplainer({ region: 'us-east-1', localEndpoint: 'http://127.0.0.1:4010' });

function text(error: UserError | undefined): string {
  expect(error).toBeDefined();
  return `${error?.message}\n→ ${error?.hint}`;
}

describe('AWS SDK errors', () => {
  test('the default chain finding nothing: which cloud, how to give them, --local-cloud needs none', () => {
    const said = text(
      aws(named('CredentialsProviderError', 'Could not load credentials from any providers'), {
        method: 'observe',
      }),
    );
    expect(said).toMatch(/^no AWS credentials found\n/);
    expect(said).toMatch(/AWS_ACCESS_KEY_ID.*AWS_PROFILE.*--local-cloud/s);
  });

  test('a profile that cannot be used keeps what the SDK said about it', () => {
    const said = text(
      aws(
        named(
          'CredentialsProviderError',
          'Profile work could not be found or parsed in shared credentials file.',
        ),
        {
          method: 'invoke',
          unit,
        },
      ),
    );
    expect(said).toContain('no AWS credentials found (Profile work could not be found');
  });

  test('rejected and denied credentials are named, never echoed', () => {
    const rejected = aws(
      named('UnrecognizedClientException', 'The security token AKIAABCDEFGHIJKLMNOP is invalid.'),
      { method: 'observe' },
    );
    expect(rejected?.message).toBe(
      'AWS rejected the credentials: UnrecognizedClientException: The security token [access key id] is invalid.',
    );
    const denied = aws(
      named(
        'AccessDeniedException',
        'User: arn:aws:iam::1:user/me is not authorized to perform: lambda:GetFunction',
      ),
      { method: 'describe' },
    );
    expect(denied?.message).toMatch(/^AWS denied the request: AccessDeniedException: .*lambda:GetFunction$/);
  });

  test('invoking a function that is not there: where, and to deploy it', () => {
    const missing = named('ResourceNotFoundException', 'Function not found: arn:aws:lambda:…');
    expect(text(aws(missing, { method: 'invoke', unit }))).toBe(
      'function hello is not deployed to AWS Lambda in eu-west-1 (svc-dev-hello)\n→ Deploy it first: sls deploy.',
    );
    expect(awsLocal(missing, { method: 'invoke', unit })?.message).toBe(
      "function hello is not deployed to the local cloud's Lambda (svc-dev-hello)",
    );
    // elsewhere a missing function is the deployers' own business (a create, "not deployed")
    expect(aws(missing, { method: 'observe' })).toBeUndefined();
  });

  test('anything else is left alone (a bug keeps its stack)', () => {
    expect(aws(new TypeError('x is undefined'), { method: 'apply' })).toBeUndefined();
  });
});

describe('Azure and Google Cloud errors', () => {
  test('DefaultAzureCredential with nothing to use, or a sign-in that failed', () => {
    const unavailable = (message: string) => named('CredentialUnavailableError', message);
    const none = named('AggregateAuthenticationError', 'ChainedTokenCredential authentication failed.', {
      errors: [
        unavailable('EnvironmentCredential is unavailable.'),
        unavailable('Azure CLI could not be found.'),
      ],
    });
    const azure = azureErrorExplainer();
    expect(text(azure(none, { method: 'observe' }))).toMatch(
      /^no Azure credentials found\n→ .*az login.*--local-cloud/s,
    );
    const failed = named('AggregateAuthenticationError', 'ChainedTokenCredential authentication failed.', {
      errors: [named('AuthenticationError', 'AADSTS7000215: Invalid client secret provided.\nTrace ID: 1')],
    });
    expect(azure(failed, { method: 'observe' })?.message).toBe(
      'Azure rejected the credentials: AADSTS7000215: Invalid client secret provided.',
    );
    const forbidden = named('RestError', 'The client does not have authorization', {
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect(azure(forbidden, { method: 'observe' })?.message).toBe(
      'Azure denied the request: AuthorizationFailed: The client does not have authorization',
    );
  });

  test('Application Default Credentials finding nothing, or a sign-in that expired', () => {
    const gcp = gcpErrorExplainer();
    const none = new Error(
      'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
    );
    expect(text(gcp(none, { method: 'observe' }))).toMatch(
      /^no Google Cloud credentials found\n→ .*gcloud auth application-default login.*--local-cloud/s,
    );
    expect(
      gcp(Object.assign(new Error('16 UNAUTHENTICATED: expired'), { code: 16 }), { method: 'apply' })
        ?.message,
    ).toBe('Google Cloud rejected the credentials: 16 UNAUTHENTICATED: expired');
    expect(
      gcp(Object.assign(new Error('7 PERMISSION_DENIED: no'), { code: 7 }), { method: 'apply' })?.message,
    ).toBe('Google Cloud denied the request: 7 PERMISSION_DENIED: no');
  });
});

describe('explainingErrors', () => {
  test('maps what the explainer knows, passes the rest through unchanged', async () => {
    const bug = new TypeError('a bug');
    const failing = (error: Error) =>
      ({
        target: 'aws',
        observe: async () => {
          throw error;
        },
      }) as unknown as TargetDeployer;
    const known = explainingErrors(failing(named('CredentialsProviderError', 'none')), aws);
    await expect(known.observe([])).rejects.toSatisfy(isUserError);
    await expect(explainingErrors(failing(bug), aws).observe([])).rejects.toBe(bug);
  });

  test('a local cloud that does not answer, whichever cloud the deployer is for', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const failingOnce = () =>
      ({
        observe: async () => {
          throw refused;
        },
      }) as unknown as TargetDeployer;
    for (const explain of [awsLocal, azureErrorExplainer(), gcpErrorExplainer()]) {
      const local = explainingErrors(failingOnce(), explain, { localEndpoint: 'http://127.0.0.1:4010' });
      await expect(local.observe([])).rejects.toThrow(
        'the local cloud at http://127.0.0.1:4010 does not answer (ECONNREFUSED)',
      );
    }
    await expect(explainingErrors(failingOnce(), aws).observe([])).rejects.toBe(refused);
  });

  test('sdkDetail keeps one line and blanks what looks like a key or a token', () => {
    expect(sdkDetail('first line\nsecond')).toBe('first line');
    expect(sdkDetail('secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY given')).toBe('secret [secret] given');
    expect(sdkDetail('token eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl end')).toBe('token [token] end');
    expect(
      sdkDetail("scope '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg'"),
    ).toContain('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg');
  });
});
