import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudRequest, CloudResponse } from '../control-plane-server';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
/** The trust policy of a Lambda execution role, as IAM returns it (URL-encoded JSON). */
const LAMBDA_TRUST = encodeURIComponent(
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  }),
);

interface Role {
  arn: string;
  created: Date;
}

/**
 * The IAM roles the local Lambda plane knows: every role a function was created or configured
 * with exists from the first time it was named (so a role under injected propagation failures
 * reads as just created), except those the behaviour says are missing. Served as IAM's `GetRole`
 * (Query protocol, XML) on the Lambda port, the way LocalStack serves every service on one port.
 */
export class IamRoles {
  private readonly roles = new Map<string, Role>();

  constructor(private readonly missing: () => readonly string[]) {}

  /** A role ARN named in a Lambda call; false when the behaviour says it does not exist. */
  exists(arn: string): boolean {
    if (this.missing().includes(arn)) return false;
    const name = roleName(arn);
    if (!this.roles.has(name)) this.roles.set(name, { arn, created: new Date() });
    return true;
  }

  handle(request: CloudRequest): CloudResponse {
    const form = new URLSearchParams(request.body.toString('utf8'));
    const action = form.get('Action');
    if (action !== 'GetRole') {
      return iamError(
        400,
        'InvalidAction',
        `The action ${action ?? '(none)'} is not valid for this web service.`,
      );
    }
    const name = form.get('RoleName') ?? '';
    const role = this.roles.get(name);
    if (!role || this.missing().some((arn) => roleName(arn) === name)) {
      return iamError(404, 'NoSuchEntity', `The role with name ${name} cannot be found.`);
    }
    const path = role.arn.slice(role.arn.indexOf(':role') + ':role'.length, role.arn.length - name.length);
    return xml(
      200,
      `<GetRoleResponse xmlns="${IAM_NS}"><GetRoleResult><Role><Path>${xmlEscape(path || '/')}</Path><AssumeRolePolicyDocument>${LAMBDA_TRUST}</AssumeRolePolicyDocument><RoleName>${xmlEscape(name)}</RoleName><RoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}</RoleId><Arn>${xmlEscape(role.arn)}</Arn><CreateDate>${role.created.toISOString()}</CreateDate><MaxSessionDuration>3600</MaxSessionDuration></Role></GetRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetRoleResponse>`,
    );
  }
}

/** `arn:aws:iam::<account>:role/<path/>name` → name (GetRole takes the name without its path). */
export function roleName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function iamError(status: number, code: string, message: string): CloudResponse {
  return xml(
    status,
    `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function xml(status: number, body: string): CloudResponse {
  return { status, headers: { 'content-type': 'text/xml' }, body: Buffer.from(body) };
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
