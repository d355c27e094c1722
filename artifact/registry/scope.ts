/**
 * Token scopes (distribution token spec): `repository:<name>:<action>[,<action>]`. Names may
 * contain `host:port`, so the type ends at the first colon and the actions start after the last.
 */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

export function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last <= first) return undefined;
  const actions = text
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions };
}

export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${[...scope.actions].sort().join(',')}`;
}

export function repositoryScope(
  repository: string,
  actions: readonly ('pull' | 'push' | 'delete' | '*')[],
): string {
  return formatScope({ type: 'repository', name: repository, actions: [...actions] });
}

/** A challenge's `scope` parameter holds several scopes separated by spaces. */
export function splitScopes(text: string | undefined): string[] {
  return (text ?? '').split(' ').filter((s) => s !== '');
}

/** Union of actions per resource, sorted, so equal needs give equal cache keys. */
export function mergeScopes(...lists: readonly (readonly string[])[]): string[] {
  const byResource = new Map<string, Scope>();
  const opaque = new Set<string>();
  for (const text of lists.flat()) {
    const scope = parseScope(text);
    if (!scope) {
      opaque.add(text);
      continue;
    }
    const key = `${scope.type}:${scope.name}`;
    const known = byResource.get(key);
    if (known) known.actions = [...new Set([...known.actions, ...scope.actions])];
    else byResource.set(key, { ...scope, actions: [...new Set(scope.actions)] });
  }
  return [...[...byResource.values()].map(formatScope), ...opaque].sort();
}

/** Whether `granted` scopes include every action of every `needed` scope (`*` grants all). */
export function coversScopes(granted: readonly string[], needed: readonly string[]): boolean {
  const parsedGranted = granted.map(parseScope);
  return needed.every((text) => {
    const need = parseScope(text);
    if (!need) return granted.includes(text);
    return need.actions.every((action) =>
      parsedGranted.some(
        (g) =>
          g !== undefined &&
          g.type === need.type &&
          g.name === need.name &&
          (g.actions.includes(action) || g.actions.includes('*')),
      ),
    );
  });
}
