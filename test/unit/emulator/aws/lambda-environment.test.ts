import { describe, expect, it } from 'vitest';
import type { InstancePaths } from '../../../../emulator/engines/engine';
import { lambdaEnvironment } from '../../../../emulator/providers/aws/lambda-environment';

const config = {
  name: 'svc-dev-api',
  handler: 'handler.api',
  runtime: 'nodejs22.x',
  memorySizeMb: 256,
  timeoutSeconds: 6,
  region: 'eu-west-1',
  accountId: '123456789012',
};
const paths: InstancePaths = { taskRoot: '/var/task', runtimeDir: '/var/runtime' };

describe('the environment a local Lambda instance sees', () => {
  it('says it runs offline, as serverless-offline does, with placeholder credentials', () => {
    const env = lambdaEnvironment({ ...config, environment: {} }, paths, '127.0.0.1:9001', 'on-demand', 'i1');
    expect(env).toMatchObject({
      IS_OFFLINE: 'true',
      FAASPORT: '1',
      AWS_ACCESS_KEY_ID: 'AKIAFAASPORTLOCAL000',
    });
  });

  it("lets the user's environment override IS_OFFLINE and credentials, never the reserved variables", () => {
    const env = lambdaEnvironment(
      {
        ...config,
        environment: { IS_OFFLINE: '', AWS_ACCESS_KEY_ID: 'mine', AWS_REGION: 'us-east-1', TABLE: 't' },
      },
      paths,
      '127.0.0.1:9001',
      'on-demand',
      'i1',
    );
    expect(env).toMatchObject({
      IS_OFFLINE: '',
      AWS_ACCESS_KEY_ID: 'mine',
      AWS_REGION: 'eu-west-1',
      TABLE: 't',
    });
  });
});
