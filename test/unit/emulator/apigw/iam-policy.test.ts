import { describe, expect, test } from 'vitest';
import { evaluatePolicy } from '../../../../emulator/providers/aws/apigw/authorizers/iam-policy';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:faasportlocal/dev/GET/items/42';
const statement = (Effect: string, Resource: unknown, Action: unknown = 'execute-api:Invoke') => ({
  Effect,
  Resource,
  Action,
});
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('authorizer policy evaluation', () => {
  test('an Allow on the method ARN, or a wildcard over it, allows', () => {
    expect(evaluatePolicy(policy(statement('Allow', ARN)), ARN)).toBe('allow');
    expect(
      evaluatePolicy(
        policy(statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:faasportlocal/dev/*')),
        ARN,
      ),
    ).toBe('allow');
    expect(
      evaluatePolicy(policy(statement('Allow', 'arn:aws:execute-api:*:*:*/dev/GET/items/??')), ARN),
    ).toBe('allow');
    expect(
      evaluatePolicy(policy(statement('Allow', ['x', ARN], ['s3:GetObject', 'execute-api:*'])), ARN),
    ).toBe('allow');
    expect(evaluatePolicy({ Statement: statement('Allow', '*', '*') }, ARN)).toBe('allow');
  });

  test('an explicit Deny wins over an Allow; no matching Allow denies implicitly', () => {
    expect(evaluatePolicy(policy(statement('Allow', '*'), statement('Deny', ARN)), ARN)).toBe(
      'explicit-deny',
    );
    expect(
      evaluatePolicy(
        policy(statement('Allow', 'arn:aws:execute-api:us-east-1:123456789012:faasportlocal/dev/POST/*')),
        ARN,
      ),
    ).toBe('implicit-deny');
    expect(evaluatePolicy(policy(statement('Allow', ARN, 's3:*')), ARN)).toBe('implicit-deny');
    expect(evaluatePolicy(policy(), ARN)).toBe('implicit-deny');
  });

  test('a malformed document is undefined (API Gateway answers 500)', () => {
    expect(evaluatePolicy(undefined, ARN)).toBeUndefined();
    expect(evaluatePolicy({ Statement: 'Allow' }, ARN)).toBeUndefined();
    expect(evaluatePolicy(policy(statement('allow', ARN)), ARN)).toBeUndefined();
    expect(evaluatePolicy(policy(statement('Allow', undefined)), ARN)).toBeUndefined();
    expect(evaluatePolicy(policy(statement('Allow', ARN, [])), ARN)).toBeUndefined();
  });
});
