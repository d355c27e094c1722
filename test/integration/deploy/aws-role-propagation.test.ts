import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../../local-cloud/local-cloud';
import { deployService } from '../../helpers/deploy/deploy-in-process';
import { publishFiles, serviceFolder } from '../../helpers/deploy/service-folder';

// "The role defined for the function cannot be assumed by Lambda" means a role IAM has not
// propagated yet, or one that will never work. The local Lambda plane answers both as Lambda
// does (same message) and serves IAM GetRole, as LocalStack serves every service on one port.
const ACCOUNT_ROLE = (name: string) => `arn:aws:iam::000000000000:role/${name}`;

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ aws: { pendingMs: 0, updateMs: 0 } });
});
afterAll(async () => {
  await cloud?.stop();
});
beforeEach(() => {
  Object.assign(cloud.aws, { rolePropagationFailures: 0, missingRoles: [] });
  cloud.clearRequests();
});

let services = 0;
/** Deploys a new service (so the function is created) with one function and this role. */
async function deployWith(role: string, extra = '') {
  const dir = await serviceFolder(
    'faasport-role-it-',
    `service: roles-${++services}
provider:
  name: faasport
  targets:
    aws:
      region: us-east-1
      role: ${role}
${extra}
functions:
  hello: { handler: fn/index.handler }
`,
    { 'fn/index.js': 'exports.handler = async () => "ok";\n' },
  );
  await publishFiles(dir, 'oci:.faasport/store:hello', ['!**', 'fn/**']);
  const lines: string[] = [];
  const { outcomes } = await deployService(dir, cloud.endpoints, (line) => lines.push(line));
  return { outcome: outcomes[0], lines };
}

const calls = (operation: string) => cloud.requests().filter((r) => r.operation === operation);

describe('a role Lambda cannot assume', () => {
  test('that does not exist fails at once, naming the role, without waiting for propagation', async () => {
    const role = ACCOUNT_ROLE('no-such-role');
    cloud.aws.missingRoles = [role];
    const { outcome, lines } = await deployWith(role);
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toContain(`the execution role ${role} does not exist`);
    // one try, one look at IAM, and no retries
    expect(calls('CreateFunction')).toHaveLength(1);
    expect(calls('GetRole')).toHaveLength(1);
    expect(lines.join('\n')).not.toMatch(/waiting for IAM/);
  });

  test('that was just created is waited for, saying what for, until Lambda can assume it', async () => {
    const role = ACCOUNT_ROLE('fresh-role');
    cloud.aws.rolePropagationFailures = 3;
    const { outcome, lines } = await deployWith(role);
    expect(outcome?.ok, outcome?.error).toBe(true);
    expect(calls('CreateFunction')).toHaveLength(4);
    const waiting = lines.filter((line) => line.includes('waiting for IAM'));
    expect(waiting).toHaveLength(3);
    expect(waiting[0]).toContain(`role ${role} exists but Lambda cannot assume it yet`);
    expect(waiting[0]).toMatch(/at most 60 s/);
  });

  test('is waited for no longer than provider.targets.aws.rolePropagationTimeout', async () => {
    const role = ACCOUNT_ROLE('never-assumable');
    cloud.aws.rolePropagationFailures = 1_000;
    const { outcome, lines } = await deployWith(role, '      rolePropagationTimeout: 1');
    expect(outcome?.ok).toBe(false);
    expect(outcome?.error).toContain(`Lambda still cannot assume the execution role ${role} after 1 s`);
    expect(lines.some((line) => line.includes('at most 1 s'))).toBe(true);
    // bounded: the local backoff starts at 0.1 s and doubles, so a second holds a handful of tries
    expect(calls('CreateFunction').length).toBeLessThan(10);
  });
});
