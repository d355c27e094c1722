/**
 * An authorizer's IAM policy, evaluated the way API Gateway does for `execute-api:Invoke` on one
 * method ARN (`arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`): an explicit
 * Deny wins, then an Allow, else the request is denied implicitly. `*` and `?` are wildcards.
 */
export type PolicyVerdict = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Undefined when the document is malformed (API Gateway then answers 500). */
export function evaluatePolicy(document: unknown, methodArn: string): PolicyVerdict | undefined {
  if (!isRecord(document)) return undefined;
  const raw = document.Statement;
  const statements = Array.isArray(raw) ? raw : isRecord(raw) ? [raw] : undefined;
  if (!statements) return undefined;
  let allowed = false;
  for (const statement of statements) {
    if (!isRecord(statement)) return undefined;
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return undefined;
    const actions = stringList(statement.Action);
    const resources = stringList(statement.Resource);
    if (!actions || !resources) return undefined;
    const applies =
      actions.some((action) => wildcardMatch(action.toLowerCase(), 'execute-api:invoke')) &&
      resources.some((resource) => wildcardMatch(resource, methodArn));
    if (!applies) continue;
    if (effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

export function wildcardMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
    return value;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
