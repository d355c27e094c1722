/**
 * The subset of the Velocity Template Language that API Gateway mapping templates use: references
 * (`$a.b`, `$a.m(x)`, `$a[0]`, `${a}`, quiet `$!a`), `#set`, `#if/#elseif/#else`, `#foreach`
 * (with `$foreach.hasNext` / `$velocityCount`), `#break`, comments, escapes, and expressions with
 * literals, lists, maps, ranges and the usual operators. Values are plain JavaScript: objects are
 * maps, arrays are lists, and Java-style methods (`size()`, `get()`, `keySet()`, …) work on them.
 */

import { type Expr, type Node, Parser, type Reference, type Step, TemplateError } from './velocity-parser';

export { TemplateError };

export type TemplateScope = Record<string, unknown>;

/** A parsed template, rendered against a scope of variables (`input`, `context`, `util`, …). */
export class VelocityTemplate {
  private readonly nodes: Node[];

  constructor(source: string) {
    const parser = new Parser(source);
    this.nodes = parser.template();
  }

  render(scope: TemplateScope): string {
    const variables = new Map(Object.entries(scope));
    const out: string[] = [];
    renderNodes(this.nodes, variables, out);
    return out.join('');
  }
}

class BreakSignal {}

/** A `#define` block: rendered where it is referenced, with the variables of that moment. */
class DefinedBlock {
  constructor(readonly nodes: Node[]) {}
}

function renderNodes(nodes: Node[], vars: Map<string, unknown>, out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'ref': {
        const value = resolve(node.ref, vars);
        if (value instanceof DefinedBlock) renderNodes(value.nodes, vars, out);
        else if (value !== undefined && value !== null) out.push(display(value));
        break;
      }
      case 'define':
        vars.set(node.name, new DefinedBlock(node.body));
        break;
      case 'set':
        assign(node.target, evaluate(node.value, vars), vars);
        break;
      case 'if': {
        const branch = node.branches.find((b) => b.test === undefined || truthy(evaluate(b.test, vars)));
        if (branch) renderNodes(branch.body, vars, out);
        break;
      }
      case 'foreach': {
        const items = iterable(evaluate(node.list, vars));
        const saved = {
          item: vars.get(node.variable),
          foreach: vars.get('foreach'),
          count: vars.get('velocityCount'),
        };
        try {
          items.forEach((item, index) => {
            vars.set(node.variable, item);
            vars.set('foreach', {
              index,
              count: index + 1,
              hasNext: index < items.length - 1,
              first: index === 0,
              last: index === items.length - 1,
            });
            vars.set('velocityCount', index + 1);
            renderNodes(node.body, vars, out);
          });
        } catch (signal) {
          if (!(signal instanceof BreakSignal)) throw signal;
        } finally {
          vars.set(node.variable, saved.item);
          vars.set('foreach', saved.foreach);
          vars.set('velocityCount', saved.count);
        }
        break;
      }
      case 'break':
        throw new BreakSignal();
    }
  }
}

function iterable(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.values(value);
  return [];
}

/** Velocity's truth: only null (undefined) and false are false. */
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/** How Java's toString shows a value inside a template. */
export function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(display).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${display(v)}`)
      .join(', ')}}`;
  return String(value);
}

function resolve(ref: Reference, vars: Map<string, unknown>): unknown {
  let value = vars.get(ref.name);
  for (const step of ref.steps) {
    if (value === undefined || value === null) return undefined;
    if (step.kind === 'prop') value = property(value, step.name);
    else if (step.kind === 'index') value = property(value, evaluate(step.index, vars));
    else
      value = call(
        value,
        step.name,
        step.args.map((arg) => evaluate(arg, vars)),
      );
  }
  return value;
}

function property(target: unknown, key: unknown): unknown {
  if (Array.isArray(target) && typeof key === 'number') return target[key];
  if (typeof target === 'object' && target !== null) {
    const name = String(key);
    if (Object.hasOwn(target, name)) return (target as Record<string, unknown>)[name];
    // Java bean style: `$map.empty` → isEmpty(), `$list.size` is not a property but keep it useful.
    return undefined;
  }
  if (typeof target === 'string' && key === 'length') return target.length;
  return undefined;
}

function assign(target: Reference, value: unknown, vars: Map<string, unknown>): void {
  if (target.steps.length === 0) {
    vars.set(target.name, value);
    return;
  }
  const last = target.steps[target.steps.length - 1] as Step;
  const holder = resolve({ ...target, steps: target.steps.slice(0, -1) }, vars);
  if (typeof holder !== 'object' || holder === null) return;
  const key =
    last.kind === 'prop' ? last.name : last.kind === 'index' ? evaluate(last.index, vars) : undefined;
  if (key !== undefined) (holder as Record<string, unknown>)[String(key)] = value;
}

/** Methods of the host objects (functions on `$input`, `$util`) and Java's String/List/Map. */
function call(target: unknown, name: string, args: unknown[]): unknown {
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    const own = (target as Record<string, unknown>)[name];
    if (typeof own === 'function') return (own as (...a: unknown[]) => unknown)(...args);
  }
  const [a, b] = args;
  if (typeof target === 'string') {
    switch (name) {
      case 'length':
        return target.length;
      case 'isEmpty':
        return target.length === 0;
      case 'toLowerCase':
        return target.toLowerCase();
      case 'toUpperCase':
        return target.toUpperCase();
      case 'trim':
        return target.trim();
      case 'contains':
        return target.includes(String(a));
      case 'startsWith':
        return target.startsWith(String(a));
      case 'endsWith':
        return target.endsWith(String(a));
      case 'indexOf':
        return target.indexOf(String(a));
      case 'equals':
        return target === a;
      case 'equalsIgnoreCase':
        return target.toLowerCase() === String(a).toLowerCase();
      case 'substring':
        return target.substring(Number(a), b === undefined ? undefined : Number(b));
      case 'replace':
        return target.split(String(a)).join(String(b));
      case 'replaceAll':
        return target.replace(new RegExp(String(a), 'g'), String(b).replace(/\$(\d)/g, '$$$1'));
      case 'matches':
        return new RegExp(`^(?:${String(a)})$`).test(target);
      case 'split':
        return target.split(new RegExp(String(a)));
      case 'toString':
        return target;
      case 'charAt':
        return target.charAt(Number(a));
    }
  }
  if (Array.isArray(target)) {
    switch (name) {
      case 'size':
        return target.length;
      case 'isEmpty':
        return target.length === 0;
      case 'get':
        return target[Number(a)];
      case 'contains':
        return target.includes(a);
      case 'add':
        target.push(a);
        return true;
      case 'indexOf':
        return target.indexOf(a);
    }
  }
  if (typeof target === 'object' && target !== null) {
    const map = target as Record<string, unknown>;
    switch (name) {
      case 'size':
        return Object.keys(map).length;
      case 'isEmpty':
        return Object.keys(map).length === 0;
      case 'get':
        return map[String(a)];
      case 'containsKey':
        return Object.hasOwn(map, String(a));
      case 'keySet':
        return Object.keys(map);
      case 'values':
        return Object.values(map);
      case 'entrySet':
        return Object.entries(map).map(([key, value]) => ({ key, value }));
      case 'put': {
        const previous = map[String(a)];
        map[String(a)] = b;
        return previous;
      }
    }
  }
  if (name === 'toString') return display(target);
  return undefined;
}

function evaluate(expr: Expr, vars: Map<string, unknown>): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'string': {
      const out: string[] = [];
      renderNodes(expr.parts, vars, out);
      return out.join('');
    }
    case 'ref':
      return resolve(expr.ref, vars);
    case 'list':
      return expr.items.map((item) => evaluate(item, vars));
    case 'range': {
      const from = Number(evaluate(expr.from, vars));
      const to = Number(evaluate(expr.to, vars));
      const step = from <= to ? 1 : -1;
      const values: number[] = [];
      for (let n = from; step > 0 ? n <= to : n >= to; n += step) values.push(n);
      return values;
    }
    case 'map':
      return Object.fromEntries(
        expr.entries.map(([k, v]) => [display(evaluate(k, vars)), evaluate(v, vars)]),
      );
    case 'unary': {
      const value = evaluate(expr.operand, vars);
      return expr.op === '!' ? !truthy(value) : -Number(value);
    }
    case 'binary':
      return binary(expr.op, expr.left, expr.right, vars);
  }
}

function binary(op: string, leftExpr: Expr, rightExpr: Expr, vars: Map<string, unknown>): unknown {
  const left = evaluate(leftExpr, vars);
  if (op === '&&') return truthy(left) && truthy(evaluate(rightExpr, vars));
  if (op === '||') return truthy(left) || truthy(evaluate(rightExpr, vars));
  const right = evaluate(rightExpr, vars);
  switch (op) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<':
      return Number(left) < Number(right);
    case '>':
      return Number(left) > Number(right);
    case '<=':
      return Number(left) <= Number(right);
    case '>=':
      return Number(left) >= Number(right);
    case '+':
      return typeof left === 'number' && typeof right === 'number'
        ? left + right
        : display(left) + display(right);
    case '-':
      return Number(left) - Number(right);
    case '*':
      return Number(left) * Number(right);
    case '/':
      return Number.isInteger(left) && Number.isInteger(right)
        ? Math.trunc(Number(left) / Number(right))
        : Number(left) / Number(right);
    case '%':
      return Number(left) % Number(right);
  }
  throw new TemplateError(`unknown operator ${op}`);
}

/** Velocity compares numbers by value and everything else by its string form. */
function equal(left: unknown, right: unknown): boolean {
  if (left === undefined || left === null || right === undefined || right === null)
    return (left ?? null) === (right ?? null);
  if (typeof left === 'number' && typeof right === 'number') return left === right;
  return display(left) === display(right);
}
