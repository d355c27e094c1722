/** Runs an authorizer function of the service (through its pool: cold and warm like any call). */
export type AuthorizerInvoke = (event: unknown) => Promise<{ payload: Buffer; failed: boolean }>;

/** What an authorizer function answered: its result, `Unauthorized` thrown, or another failure. */
export type AuthorizerAnswer =
  | { kind: 'result'; value: unknown }
  | { kind: 'unauthorized' }
  | { kind: 'failed' };

export async function askAuthorizer(invoke: AuthorizerInvoke, event: unknown): Promise<AuthorizerAnswer> {
  const { payload, failed } = await invoke(event);
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'failed' };
  }
  if (failed) {
    const message =
      typeof value === 'object' && value !== null
        ? (value as { errorMessage?: unknown }).errorMessage
        : undefined;
    return message === 'Unauthorized' ? { kind: 'unauthorized' } : { kind: 'failed' };
  }
  return { kind: 'result', value };
}

/**
 * An authorizer's context: only strings, numbers and booleans are allowed (anything else is a
 * malformed answer, a 500). Undefined when malformed.
 */
export function authorizerContext(value: unknown): Record<string, string | number | boolean> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const context: Record<string, string | number | boolean> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return undefined;
    context[key] = item;
  }
  return context;
}
