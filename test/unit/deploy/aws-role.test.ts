import { describe, expect, test } from 'vitest';
import { toServiceModel } from '../../../common/service/service-model';
import { generateCloudAuth } from '../../../local-cloud/auth/cloud-auth';
import type { LocalCloudEndpoints } from '../../../local-cloud/cloud-file';
import {
  lambdaSettings,
  localPlaceholderRole,
  ROLE_ENV,
  roleFor,
} from '../../../plugin/deployers/aws/aws-settings';
import { createAwsDeployer } from '../../../plugin/deployers/aws/create-aws-deployer';
import { deployUnits } from '../../../plugin/planner/deploy-units';
import type { SourceResolver } from '../../../plugin/planner/source-resolver';

const location = { serviceDir: '/svc', configFile: '/svc/serverless.yml' };

/** The README's plugin example: no role anywhere. */
function readmeModel(role?: string) {
  return toServiceModel(
    {
      service: 'my-service',
      provider: { name: 'faasport', targets: { aws: { region: 'eu-west-1', ...(role ? { role } : {}) } } },
      functions: { hello: { handler: 'src/hello.handler', events: [{ httpApi: 'GET /hello' }] } },
    },
    location,
  );
}

const local: LocalCloudEndpoints = {
  aws: {
    region: 'us-east-1',
    accountId: '000000000000',
    lambda: 'http://127.0.0.1:1',
    s3: 'http://127.0.0.1:2',
  },
  auth: generateCloudAuth(),
};
const placeholder = 'arn:aws:iam::000000000000:role/faasport-local-lambda';
/** Any call would throw: the checks below must need none. */
const noCalls = new Proxy({} as SourceResolver, {
  get: () => {
    throw new Error('the resolver was called');
  },
});

describe('the execution role', () => {
  test('against AWS a missing role is an error naming the path, before any call', () => {
    const model = readmeModel();
    const [unit] = deployUnits(model);
    expect(() => roleFor(model, unit!, {})).toThrow(/functions\.hello\.role is not set/);
    const deployer = createAwsDeployer({ model, resolver: noCalls, local: undefined, env: {} });
    expect(() => deployer.check(unit!)).toThrow(/functions\.hello\.role is not set: AWS Lambda needs/);
  });

  test('on the local planes a missing role is a documented placeholder in the local account', () => {
    expect(localPlaceholderRole('000000000000')).toBe(placeholder);
    const model = readmeModel();
    const [unit] = deployUnits(model);
    const deployer = createAwsDeployer({ model, resolver: noCalls, local, env: {} });
    expect(() => deployer.check(unit!)).not.toThrow();
    expect(lambdaSettings(model, unit!, {}, placeholder).Role).toBe(placeholder);
  });

  test('a role that is set wins over the placeholder, and is still checked', () => {
    const configured = readmeModel('arn:aws:iam::111111111111:role/mine');
    const [unit] = deployUnits(configured);
    expect(roleFor(configured, unit!, {}, placeholder).role).toBe('arn:aws:iam::111111111111:role/mine');
    const model = readmeModel();
    const [bare] = deployUnits(model);
    expect(
      roleFor(model, bare!, { [ROLE_ENV]: 'arn:aws:iam::222222222222:role/env' }, placeholder).role,
    ).toBe('arn:aws:iam::222222222222:role/env');
    const wrong = readmeModel('my-role');
    const [unitWrong] = deployUnits(wrong);
    expect(() => roleFor(wrong, unitWrong!, {}, placeholder)).toThrow(/not an IAM role ARN/);
  });
});
