import { GetRoleCommand, type IAMClient, type Role } from '@aws-sdk/client-iam';
import { UserError } from '../../../common/errors';
import { sdkDetail } from '../user-errors';

/**
 * What IAM says about an execution role Lambda refused with "cannot be assumed" — the answer
 * Lambda gives both for a role created moments ago and for one that will never work.
 */
export type RoleStatus =
  /** No role of that name in the deploying account. */
  | { kind: 'missing' }
  /** A role of that name exists, under another ARN (another account, or another path). */
  | { kind: 'elsewhere'; arn: string }
  /** It exists, but its trust policy does not let lambda.amazonaws.com assume it. */
  | { kind: 'untrusted' }
  /** It exists and trusts Lambda: IAM has not propagated it yet. */
  | { kind: 'exists'; created: Date | undefined }
  /** IAM could not be asked (no iam:GetRole permission, a network failure). */
  | { kind: 'unknown'; why: string };

/** Asks IAM for the role by name (GetRole looks in the caller's own account). */
export async function roleStatus(iam: IAMClient, arn: string): Promise<RoleStatus> {
  try {
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: roleName(arn) }));
    return statusOf(arn, role, undefined);
  } catch (error) {
    return statusOf(arn, undefined, error);
  }
}

/** The status for GetRole's answer: the role it returned, or the error it failed with. */
export function statusOf(arn: string, role: Role | undefined, error: unknown): RoleStatus {
  if (error !== undefined) {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return { kind: 'missing' };
    const message = (error as { message?: unknown } | null)?.message;
    return { kind: 'unknown', why: sdkDetail(String(message ?? name ?? error)) };
  }
  if (!role?.Arn) return { kind: 'unknown', why: 'IAM answered without the role' };
  if (role.Arn !== arn) return { kind: 'elsewhere', arn: role.Arn };
  if (role.AssumeRolePolicyDocument !== undefined && !trustsLambda(role.AssumeRolePolicyDocument))
    return { kind: 'untrusted' };
  return { kind: 'exists', created: role.CreateDate };
}

/** The error for a role that waiting will not fix; undefined when waiting may. */
export function roleProblem(arn: string, status: RoleStatus): UserError | undefined {
  switch (status.kind) {
    case 'missing':
      return new UserError(
        `the execution role ${arn} does not exist in the account you deploy with (IAM GetRole: NoSuchEntity)`,
        {
          hint: 'Create the role (trusting lambda.amazonaws.com), or set provider.targets.aws.role (or the function’s role) to one that exists.',
        },
      );
    case 'elsewhere':
      return new UserError(
        `the execution role ${arn} is not the role of that name in the account you deploy with (${status.arn})`,
        {
          hint: 'Lambda takes an execution role of the function’s own account: use that role’s ARN as IAM gives it.',
        },
      );
    case 'untrusted':
      return new UserError(`the execution role ${arn} does not let Lambda assume it`, {
        hint: 'Add lambda.amazonaws.com with sts:AssumeRole to the role’s trust policy.',
      });
    default:
      return undefined;
  }
}

/** One progress line while waiting: what for, since when, and for how long at most. */
export function waitingLine(arn: string, status: RoleStatus, waitedMs: number, timeoutMs: number): string {
  const budget = `${Math.round(waitedMs / 1000)} s of at most ${Math.round(timeoutMs / 1000)} s`;
  if (status.kind === 'unknown') {
    return `waiting for IAM: Lambda cannot assume role ${arn} yet, and IAM could not say whether it exists (${status.why}); ${budget}`;
  }
  const age =
    status.kind === 'exists' && status.created
      ? `created ${Math.max(0, Math.round((Date.now() - status.created.getTime()) / 1000))} s ago; `
      : '';
  return `waiting for IAM: role ${arn} exists but Lambda cannot assume it yet (${age}${budget})`;
}

/** The error once the wait is over. */
export function propagationTimeout(arn: string, timeoutMs: number): UserError {
  return new UserError(
    `Lambda still cannot assume the execution role ${arn} after ${Math.round(timeoutMs / 1000)} s`,
    {
      hint: 'A role created moments ago can take a minute or two to propagate: deploy again, or raise provider.targets.aws.rolePropagationTimeout (seconds). Otherwise check its trust policy and any permissions boundary.',
    },
  );
}

/** `arn:aws:iam::<account>:role/<path/>name` → name: GetRole takes the name without its path. */
function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function actionMatches(pattern: string, action: string): boolean {
  const glob = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${glob}$`).test(action);
}

/** Whether a trust policy (URL-encoded JSON, as IAM returns it) lets Lambda assume the role. */
function trustsLambda(document: string): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(decodeURIComponent(document)) as { Statement?: unknown };
  } catch {
    return true; // unreadable: do not claim it is wrong
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.some((item) => {
    const statement = item as { Effect?: unknown; Action?: unknown; Principal?: unknown } | null;
    if (statement?.Effect !== 'Allow') return false;
    const actions = ([] as unknown[]).concat(statement.Action);
    // IAM action names are case-insensitive and take wildcards (`sts:Assume*`).
    if (!actions.some((action) => typeof action === 'string' && actionMatches(action, 'sts:assumerole')))
      return false;
    const principal = statement.Principal as { Service?: unknown } | string | undefined;
    if (principal === '*') return true;
    const services = ([] as unknown[]).concat(typeof principal === 'object' ? principal?.Service : []);
    return services.includes('lambda.amazonaws.com');
  });
}
