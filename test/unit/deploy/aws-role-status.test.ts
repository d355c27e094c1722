import { describe, expect, test } from 'vitest';
import { roleProblem, statusOf } from '../../../plugin/deployers/aws/role-check';

// What GetRole's answer makes of a role Lambda refused with "cannot be assumed": the cases a
// wait cannot fix fail at once; only a role that exists and trusts Lambda is waited for.
const ARN = 'arn:aws:iam::111111111111:role/app/exec';
const trust = (statement: Record<string, unknown>) =>
  encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));
const lambdaTrust = trust({
  Effect: 'Allow',
  Principal: { Service: ['edgelambda.amazonaws.com', 'lambda.amazonaws.com'] },
  Action: 'sts:AssumeRole',
});
const role = (fields: Record<string, unknown>) => ({
  RoleName: 'exec',
  Path: '/app/',
  RoleId: 'AROAEXAMPLE',
  CreateDate: new Date(),
  Arn: ARN,
  AssumeRolePolicyDocument: lambdaTrust,
  ...fields,
});

describe('an execution role Lambda cannot assume', () => {
  test('NoSuchEntity: it does not exist, and waiting will not help', () => {
    const status = statusOf(
      ARN,
      undefined,
      Object.assign(new Error('cannot be found'), { name: 'NoSuchEntityException' }),
    );
    expect(status).toEqual({ kind: 'missing' });
    expect(roleProblem(ARN, status)?.message).toContain(`the execution role ${ARN} does not exist`);
  });

  test('a role of that name under another ARN (another account) is named, not waited for', () => {
    const other = 'arn:aws:iam::222222222222:role/app/exec';
    const status = statusOf(ARN, role({ Arn: other }), undefined);
    expect(status).toEqual({ kind: 'elsewhere', arn: other });
    expect(roleProblem(ARN, status)?.message).toContain(other);
  });

  test('a trust policy without lambda.amazonaws.com fails at once', () => {
    const ec2 = trust({
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const status = statusOf(ARN, role({ AssumeRolePolicyDocument: ec2 }), undefined);
    expect(status).toEqual({ kind: 'untrusted' });
    expect(roleProblem(ARN, status)?.hint).toContain('lambda.amazonaws.com');
  });

  test('action names are matched as IAM does: case-insensitive, with wildcards', () => {
    for (const Action of [
      'sts:assumerole',
      'STS:Assume*',
      ['sts:TagSession', 'sts:*'],
      '*',
      'sts:AssumeRol?',
    ]) {
      const document = trust({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action });
      expect(statusOf(ARN, role({ AssumeRolePolicyDocument: document }), undefined).kind).toBe('exists');
    }
    for (const Action of ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts.AssumeRole']) {
      const document = trust({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action });
      expect(statusOf(ARN, role({ AssumeRolePolicyDocument: document }), undefined).kind).toBe('untrusted');
    }
  });

  test('a role that exists and trusts Lambda is still propagating: waited for', () => {
    const status = statusOf(ARN, role({}), undefined);
    expect(status.kind).toBe('exists');
    expect(roleProblem(ARN, status)).toBeUndefined();
  });

  test('without iam:GetRole there is no telling: waited for, with the reason kept', () => {
    const denied = Object.assign(
      new Error('User: arn:aws:iam::1:user/ci is not authorized to perform: iam:GetRole'),
      {
        name: 'AccessDenied',
      },
    );
    const status = statusOf(ARN, undefined, denied);
    expect(status).toMatchObject({ kind: 'unknown', why: expect.stringContaining('iam:GetRole') });
    expect(roleProblem(ARN, status)).toBeUndefined();
  });
});
