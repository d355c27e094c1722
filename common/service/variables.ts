import { UserError } from '../errors';

/**
 * The subset of Serverless variables a standalone `faasport` command resolves itself:
 * `${self:a.b}`, `${opt:stage}`, `${sls:stage}`, `${env:NAME}`, with `, fallback` values.
 * Under `sls …` the framework has already resolved everything before faasport sees it.
 */
export interface VariableSources {
  options: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
}

const VARIABLE = /\$\{([^{}]+)\}/;
const MAX_PASSES = 20;

export function resolveVariables(
  config: Record<string, unknown>,
  sources: VariableSources,
  file: string,
): Record<string, unknown> {
  let current: unknown = config;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    let changed = false;
    const root = current as Record<string, unknown>;
    current = walk(current, (text, path) => {
      const resolved = resolveString(text, root, sources, file, path);
      if (resolved !== text) changed = true;
      return resolved;
    });
    if (!changed) return current as Record<string, unknown>;
  }
  throw new UserError(`${file}: variables still unresolved after ${MAX_PASSES} passes (a cycle?)`);
}

function walk(value: unknown, visit: (text: string, path: string) => unknown, path = ''): unknown {
  if (typeof value === 'string') return VARIABLE.test(value) ? visit(value, path) : value;
  if (Array.isArray(value)) return value.map((item, index) => walk(item, visit, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, walk(item, visit, path ? `${path}.${key}` : key)]),
    );
  }
  return value;
}

function resolveString(
  text: string,
  root: Record<string, unknown>,
  sources: VariableSources,
  file: string,
  path: string,
): unknown {
  const whole = /^\$\{([^{}]+)\}$/.exec(text);
  if (whole) return resolveExpression(whole[1] ?? '', root, sources, file, path);
  return text.replace(new RegExp(VARIABLE.source, 'g'), (_match, expression: string) => {
    const value = resolveExpression(expression, root, sources, file, path);
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
  });
}

function resolveExpression(
  expression: string,
  root: Record<string, unknown>,
  sources: VariableSources,
  file: string,
  path: string,
): unknown {
  const candidates = splitFallbacks(expression);
  for (const candidate of candidates) {
    const value = lookup(candidate.trim(), root, sources, file, path);
    if (value !== undefined && value !== null) return value;
  }
  throw new UserError(`${file}: ${path}: the variable \${${expression}} has no value`, {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shows the user the literal syntax
    hint: 'Set it (an --option, an environment variable or a field of the file), or give a fallback: ${env:NAME, "default"}.',
  });
}

function lookup(
  source: string,
  root: Record<string, unknown>,
  sources: VariableSources,
  file: string,
  path: string,
): unknown {
  const literal = /^(['"])(.*)\1$/.exec(source);
  if (literal) return literal[2];
  if (/^-?\d+(\.\d+)?$/.test(source)) return Number(source);
  const colon = source.indexOf(':');
  if (colon < 0) {
    throw new UserError(`${file}: ${path}: unsupported variable source "${source}"`);
  }
  const kind = source.slice(0, colon);
  const address = source.slice(colon + 1);
  switch (kind) {
    case 'self':
      return address
        .split('.')
        .reduce<unknown>(
          (node, key) =>
            node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined,
          root,
        );
    case 'opt':
      return sources.options[address];
    case 'env':
      return sources.env[address];
    case 'sls':
      if (address === 'stage')
        return (
          sources.options.stage ?? (root.provider as Record<string, unknown> | undefined)?.stage ?? 'dev'
        );
      if (address === 'instanceId') return 'faasport-local';
      return undefined;
    default:
      throw new UserError(
        `${file}: ${path}: the variable source "${kind}:" is not supported by faasport's own loader`,
        {
          hint: 'Run the command through the framework (sls emulate / sls deploy), which resolves every source.',
        },
      );
  }
}

/** `a, b, "c, d"` → [a, b, "c, d"]: commas inside quotes do not split. */
function splitFallbacks(expression: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of expression) {
    if (quote) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
