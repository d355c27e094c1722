/**
 * The JSONPath that `$input.path` and `$input.json` take: `$`, `$.a.b`, `$.a[0]`, `$['a b']`,
 * `$.items[*].id`, `$..name` is not supported (API Gateway users rarely write it).
 */
export function jsonPath(root: unknown, path: string): unknown {
  const expression = path.trim();
  if (!expression.startsWith('$')) return undefined;
  let values: unknown[] = [root];
  let wildcard = false;
  const token = /\.([A-Za-z_$][\w$-]*)|\.\*|\[(\d+)\]|\[\*\]|\[['"]([^'"]*)['"]\]/y;
  token.lastIndex = 1;
  while (token.lastIndex < expression.length) {
    const at = token.lastIndex;
    const match = token.exec(expression);
    if (!match) return undefined;
    const [text, name, index, quoted] = match;
    if (text === '.*' || text === '[*]') {
      wildcard = true;
      values = values.flatMap((value) =>
        Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [],
      );
    } else {
      const key = name ?? quoted ?? Number(index);
      values = values.map((value) => child(value, key));
    }
    if (token.lastIndex === at) return undefined;
  }
  return wildcard ? values.filter((value) => value !== undefined) : values[0];
}

function child(value: unknown, key: string | number): unknown {
  if (Array.isArray(value)) return typeof key === 'number' ? value[key] : undefined;
  if (value && typeof value === 'object') return (value as Record<string, unknown>)[String(key)];
  return undefined;
}
