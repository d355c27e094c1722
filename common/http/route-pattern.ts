/**
 * Path templates as API Gateway writes them: `/items/{id}`, `/files/{path+}` (greedy, one or more
 * segments). Matching prefers the most specific template: more literal segments first, greedy
 * parameters last — the order in which API Gateway picks among overlapping routes.
 */
export interface RoutePattern {
  template: string;
  match(path: string): Record<string, string> | undefined;
  /** Higher is more specific. */
  specificity: number;
}

export function compileRoutePattern(template: string): RoutePattern {
  const normalized = `/${template.replace(/^\/+|\/+$/g, '')}`;
  const segments = normalized === '/' ? [] : normalized.slice(1).split('/');
  const names: string[] = [];
  let literals = 0;
  let greedy = false;
  const parts = segments.map((segment) => {
    const param = /^\{([A-Za-z0-9_.-]+)(\+)?\}$/.exec(segment);
    if (!param) {
      literals += 1;
      return `/${escapeRegex(segment)}`;
    }
    names.push(param[1] ?? '');
    if (param[2]) {
      greedy = true;
      return '/(.+)';
    }
    return '/([^/]+)';
  });
  const regex = new RegExp(`^${parts.join('')}/?$`);
  return {
    template: normalized,
    specificity: literals * 100 + (segments.length - literals) * 10 - (greedy ? 5 : 0),
    match(path) {
      const found = regex.exec(path === '' ? '/' : path);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      return params;
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
