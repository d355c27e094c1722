/**
 * A JSON Schema (draft 4, the dialect of API Gateway models) validator for request bodies:
 * types, enum/const, object, array, string and number keywords, allOf/anyOf/oneOf/not and local
 * `$ref`s (`#/definitions/…`). `format` is not checked, as API Gateway does not check it.
 * Returns the first problem found (for the emulator's log), or undefined when the value is valid.
 */
export type Schema = Record<string, unknown> | boolean;

export function schemaProblem(schema: Schema, value: unknown): string | undefined {
  return check(schema, value, '$', typeof schema === 'object' ? schema : {});
}

function check(
  schema: Schema,
  value: unknown,
  at: string,
  root: Record<string, unknown>,
): string | undefined {
  if (schema === true) return undefined;
  if (schema === false) return `${at} is not allowed`;
  if (typeof schema.$ref === 'string') return check(resolveRef(schema.$ref, root), value, at, root);
  const s = schema;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type.map(String) : [String(s.type)];
    if (!types.some((type) => isType(value, type))) return `${at} should be ${types.join(' or ')}`;
  }
  if (Array.isArray(s.enum) && !s.enum.some((option) => deepEqual(option, value)))
    return `${at} is not one of the allowed values`;
  if ('const' in s && !deepEqual(s.const, value)) return `${at} is not the allowed value`;
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[keyword];
    if (!Array.isArray(list)) continue;
    const passed = list.filter((sub) => check(sub as Schema, value, at, root) === undefined).length;
    if (keyword === 'allOf' && passed < list.length) return `${at} does not match every schema of allOf`;
    if (keyword === 'anyOf' && passed === 0) return `${at} matches no schema of anyOf`;
    if (keyword === 'oneOf' && passed !== 1) return `${at} should match exactly one schema of oneOf`;
  }
  if (s.not !== undefined && check(s.not as Schema, value, at, root) === undefined)
    return `${at} matches a schema it must not`;
  if (typeof value === 'string') return stringProblem(s, value, at);
  if (typeof value === 'number') return numberProblem(s, value, at);
  if (Array.isArray(value)) return arrayProblem(s, value, at, root);
  if (value !== null && typeof value === 'object')
    return objectProblem(s, value as Record<string, unknown>, at, root);
  return undefined;
}

function stringProblem(s: Record<string, unknown>, value: string, at: string): string | undefined {
  const length = [...value].length;
  if (typeof s.minLength === 'number' && length < s.minLength) return `${at} is shorter than ${s.minLength}`;
  if (typeof s.maxLength === 'number' && length > s.maxLength) return `${at} is longer than ${s.maxLength}`;
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
    return `${at} does not match ${s.pattern}`;
  return undefined;
}

function numberProblem(s: Record<string, unknown>, value: number, at: string): string | undefined {
  const exclusive = (key: 'exclusiveMinimum' | 'exclusiveMaximum') => s[key] === true;
  if (
    typeof s.minimum === 'number' &&
    (exclusive('exclusiveMinimum') ? value <= s.minimum : value < s.minimum)
  )
    return `${at} is below the minimum`;
  if (
    typeof s.maximum === 'number' &&
    (exclusive('exclusiveMaximum') ? value >= s.maximum : value > s.maximum)
  )
    return `${at} is above the maximum`;
  if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
    return `${at} is below the minimum`;
  if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum)
    return `${at} is above the maximum`;
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
    const quotient = value / s.multipleOf;
    if (Math.abs(quotient - Math.round(quotient)) > 1e-9) return `${at} is not a multiple of ${s.multipleOf}`;
  }
  return undefined;
}

function arrayProblem(
  s: Record<string, unknown>,
  value: unknown[],
  at: string,
  root: Record<string, unknown>,
): string | undefined {
  if (typeof s.minItems === 'number' && value.length < s.minItems)
    return `${at} has fewer than ${s.minItems} items`;
  if (typeof s.maxItems === 'number' && value.length > s.maxItems)
    return `${at} has more than ${s.maxItems} items`;
  if (
    s.uniqueItems === true &&
    value.some((item, i) => value.findIndex((other) => deepEqual(item, other)) !== i)
  )
    return `${at} has duplicate items`;
  if (Array.isArray(s.items)) {
    for (let i = 0; i < value.length; i++) {
      const itemSchema =
        i < s.items.length ? (s.items[i] as Schema) : ((s.additionalItems ?? true) as Schema);
      const problem = check(itemSchema, value[i], `${at}[${i}]`, root);
      if (problem) return problem;
    }
  } else if (s.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const problem = check(s.items as Schema, value[i], `${at}[${i}]`, root);
      if (problem) return problem;
    }
  }
  return undefined;
}

function objectProblem(
  s: Record<string, unknown>,
  value: Record<string, unknown>,
  at: string,
  root: Record<string, unknown>,
): string | undefined {
  const keys = Object.keys(value);
  if (typeof s.minProperties === 'number' && keys.length < s.minProperties)
    return `${at} has too few properties`;
  if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties)
    return `${at} has too many properties`;
  if (Array.isArray(s.required)) {
    const missing = s.required.find((key) => !Object.hasOwn(value, String(key)));
    if (missing !== undefined) return `${at}.${String(missing)} is required`;
  }
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>).map(
    ([pattern, sub]) => [new RegExp(pattern, 'u'), sub] as const,
  );
  for (const key of keys) {
    let matched = false;
    if (Object.hasOwn(properties, key)) {
      matched = true;
      const problem = check(properties[key] as Schema, value[key], `${at}.${key}`, root);
      if (problem) return problem;
    }
    for (const [pattern, sub] of patterns) {
      if (!pattern.test(key)) continue;
      matched = true;
      const problem = check(sub, value[key], `${at}.${key}`, root);
      if (problem) return problem;
    }
    if (!matched && s.additionalProperties !== undefined) {
      const problem = check(s.additionalProperties as Schema, value[key], `${at}.${key}`, root);
      if (problem) return s.additionalProperties === false ? `${at}.${key} is not allowed` : problem;
    }
  }
  return undefined;
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

function resolveRef(ref: string, root: Record<string, unknown>): Schema {
  if (!ref.startsWith('#')) return true; // Models by URL are not fetched; such a reference accepts anything.
  let target: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    target =
      typeof target === 'object' && target !== null ? (target as Record<string, unknown>)[key] : undefined;
  }
  return typeof target === 'object' && target !== null
    ? (target as Record<string, unknown>)
    : typeof target === 'boolean'
      ? target
      : true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return (
    keysA.length === keysB.length &&
    keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
