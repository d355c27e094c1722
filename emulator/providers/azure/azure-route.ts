/**
 * Azure Functions route templates (ASP.NET Core routing): literal segments, `{id}`, optional
 * `{id?}`, catch-all `{*rest}`, and constraints such as `{id:int}` or `{id:alpha}` (the common
 * ones are checked; others accept any value). Matching is case-insensitive on literals.
 */
export interface AzureRoute {
  template: string;
  /** Higher is more specific: literals first, catch-all last. */
  specificity: number;
  match(path: string): Record<string, string> | undefined;
}

const CONSTRAINTS: Record<string, RegExp> = {
  int: /^-?\d+$/,
  long: /^-?\d+$/,
  bool: /^(true|false)$/i,
  alpha: /^[a-z]+$/i,
  guid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  double: /^-?\d+(\.\d+)?$/,
  decimal: /^-?\d+(\.\d+)?$/,
  float: /^-?\d+(\.\d+)?$/,
};

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; optional: boolean; catchAll: boolean; constraints: string[] };

export function compileAzureRoute(template: string): AzureRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments: Segment[] = trimmed === '' ? [] : trimmed.split('/').map(parseSegment);
  let specificity = 0;
  for (const segment of segments) {
    if (segment.kind === 'literal') specificity += 100;
    else if (segment.catchAll) specificity -= 5;
    else specificity += segment.optional ? 5 : 10;
  }
  return {
    template: trimmed,
    specificity,
    match(path) {
      const parts = path
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .filter((p) => p !== '');
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i] as Segment;
        const part = parts[i];
        if (segment.kind === 'literal') {
          if (part === undefined || decode(part).toLowerCase() !== segment.text.toLowerCase())
            return undefined;
          continue;
        }
        if (segment.catchAll) {
          const rest = parts.slice(i).map(decode).join('/');
          if (rest !== '') params[segment.name] = rest;
          return checked(segment, rest) ? params : undefined;
        }
        if (part === undefined) {
          // Only trailing optional parameters may be missing.
          if (!segments.slice(i).every((s) => s.kind === 'param' && (s.optional || s.catchAll)))
            return undefined;
          return params;
        }
        const value = decode(part);
        if (!checked(segment, value)) return undefined;
        params[segment.name] = value;
      }
      return parts.length === segments.length ? params : undefined;
    },
  };
}

function parseSegment(text: string): Segment {
  const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)((?::[^}?]+)*)(\?)?\}$/.exec(text);
  if (!param) return { kind: 'literal', text };
  return {
    kind: 'param',
    name: param[2] ?? '',
    catchAll: Boolean(param[1]),
    optional: Boolean(param[4]),
    constraints: (param[3] ?? '').split(':').filter(Boolean),
  };
}

function checked(segment: Segment, value: string): boolean {
  if (segment.kind !== 'param' || value === '') return true;
  return segment.constraints.every((name) => {
    const pattern = CONSTRAINTS[name.replace(/\(.*\)$/, '').toLowerCase()];
    return pattern ? pattern.test(value) : true;
  });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
