/**
 * The subset of the Velocity Template Language that API Gateway mapping templates use: references
 * (`$a.b`, `$a.m(x)`, `$a[0]`, `${a}`, quiet `$!a`), `#set`, `#if/#elseif/#else`, `#foreach`
 * (with `$foreach.hasNext` / `$velocityCount`), `#break`, comments, escapes, and expressions with
 * literals, lists, maps, ranges and the usual operators. Values are plain JavaScript: objects are
 * maps, arrays are lists, and Java-style methods (`size()`, `get()`, `keySet()`, …) work on them.
 */

export class TemplateError extends Error {}

type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'string'; parts: Node[] }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'range'; from: Expr; to: Expr }
  | { kind: 'map'; entries: [Expr, Expr][] }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

type Step =
  | { kind: 'prop'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'index'; index: Expr };
interface Reference {
  name: string;
  steps: Step[];
  quiet: boolean;
  text: string;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'set'; target: Reference; value: Expr }
  | { kind: 'if'; branches: { test: Expr | undefined; body: Node[] }[] }
  | { kind: 'foreach'; variable: string; list: Expr; body: Node[] }
  | { kind: 'break' };

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

function renderNodes(nodes: Node[], vars: Map<string, unknown>, out: string[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'ref': {
        const value = resolve(node.ref, vars);
        if (value === undefined || value === null) {
          if (!node.ref.quiet) out.push('');
        } else out.push(display(value));
        break;
      }
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

const DIRECTIVES = ['set', 'if', 'elseif', 'else', 'end', 'foreach', 'break', 'stop'];

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  template(): Node[] {
    const { nodes, end } = this.block(false);
    if (end !== undefined) throw this.error(`#${end} without an opening #if or #foreach`);
    return nodes;
  }

  /** Nodes up to `#end`/`#else`/`#elseif` (returned as `end`) or the end of the source. */
  private block(nested: boolean): { nodes: Node[]; end?: string } {
    const nodes: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos] as string;
      if (ch === '\\' && (this.src[this.pos + 1] === '$' || this.src[this.pos + 1] === '#')) {
        text += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (ch === '$') {
        const ref = this.tryReference();
        if (ref) {
          flush();
          nodes.push({ kind: 'ref', ref });
          continue;
        }
      }
      if (ch === '#') {
        if (this.src.startsWith('##', this.pos)) {
          const newline = this.src.indexOf('\n', this.pos);
          this.pos = newline < 0 ? this.src.length : newline + 1;
          continue;
        }
        if (this.src.startsWith('#*', this.pos)) {
          const close = this.src.indexOf('*#', this.pos + 2);
          if (close < 0) throw this.error('an unclosed #* comment');
          this.pos = close + 2;
          continue;
        }
        const lineStart = this.src.lastIndexOf('\n', this.pos - 1) + 1;
        const aloneOnLine = /^[ \t]*$/.test(this.src.slice(lineStart, this.pos));
        const name = this.directiveName();
        if (name) {
          if (aloneOnLine) text = text.replace(/[ \t]*$/, '');
          flush();
          if (name === 'end' || name === 'else' || name === 'elseif') {
            if (!nested) throw this.error(`#${name} without an opening #if or #foreach`);
            return { nodes, end: name };
          }
          const node = this.directive(name);
          if (node) nodes.push(node);
          this.skipLineEnd();
          continue;
        }
      }
      text += ch;
      this.pos += 1;
    }
    flush();
    return { nodes };
  }

  /** `#name` or `#{name}` when name is a directive; leaves pos after the name. */
  private directiveName(): string | undefined {
    const match = /^#(?:\{([a-z]+)\}|([a-z]+))/.exec(this.src.slice(this.pos, this.pos + 12));
    const name = match?.[1] ?? match?.[2];
    if (!match || !name || !DIRECTIVES.includes(name)) return undefined;
    this.pos += match[0].length;
    return name;
  }

  private directive(name: string): Node | undefined {
    switch (name) {
      case 'set': {
        this.expect('(');
        this.space();
        const target = this.tryReference();
        if (!target) throw this.error('#set needs a $reference');
        this.space();
        this.expect('=');
        const value = this.expression();
        this.space();
        this.expect(')');
        return { kind: 'set', target, value };
      }
      case 'if': {
        const branches: { test: Expr | undefined; body: Node[] }[] = [];
        let test: Expr | undefined = this.condition();
        for (;;) {
          const { nodes, end } = this.block(true);
          branches.push({ test, body: nodes });
          if (end === 'end') break;
          if (end === undefined) throw this.error('#if without #end');
          if (end === 'elseif') test = this.condition();
          else {
            const rest = this.block(true);
            branches.push({ test: undefined, body: rest.nodes });
            if (rest.end !== 'end') throw this.error('#else without #end');
            break;
          }
        }
        return { kind: 'if', branches };
      }
      case 'foreach': {
        this.expect('(');
        this.space();
        const variable = this.tryReference();
        if (!variable || variable.steps.length) throw this.error('#foreach needs a $variable');
        this.space();
        if (!this.src.startsWith('in', this.pos)) throw this.error('#foreach needs "in"');
        this.pos += 2;
        const list = this.expression();
        this.space();
        this.expect(')');
        const { nodes, end } = this.block(true);
        if (end !== 'end') throw this.error('#foreach without #end');
        return { kind: 'foreach', variable: variable.name, list, body: nodes };
      }
      case 'break':
        return { kind: 'break' };
      case 'stop':
        this.pos = this.src.length;
        return undefined;
    }
    return undefined;
  }

  private condition(): Expr {
    this.space();
    this.expect('(');
    const test = this.expression();
    this.space();
    this.expect(')');
    return test;
  }

  /** After a directive alone on its line, the line break goes too (as Velocity does). */
  private skipLineEnd(): void {
    const match = /^[ \t]*\r?\n/.exec(this.src.slice(this.pos, this.pos + 64));
    if (match) this.pos += match[0].length;
  }

  private tryReference(): Reference | undefined {
    const start = this.pos;
    let i = this.pos + 1;
    let quiet = false;
    if (this.src[i] === '!') {
      quiet = true;
      i += 1;
    }
    const braced = this.src[i] === '{';
    if (braced) i += 1;
    const id = /^[A-Za-z_][\w-]*/.exec(this.src.slice(i));
    if (!id) return undefined;
    // A trailing `-` belongs to the text, not to the name.
    const name = id[0].replace(/-+$/, '');
    this.pos = i + name.length;
    const steps: Step[] = [];
    for (;;) {
      if (this.src[this.pos] === '.' && /[A-Za-z_]/.test(this.src[this.pos + 1] ?? '')) {
        const member = /^[A-Za-z_]\w*/.exec(this.src.slice(this.pos + 1))?.[0] as string;
        this.pos += 1 + member.length;
        if (this.src[this.pos] === '(') {
          this.pos += 1;
          steps.push({ kind: 'call', name: member, args: this.args(')') });
        } else steps.push({ kind: 'prop', name: member });
      } else if (this.src[this.pos] === '[') {
        this.pos += 1;
        const index = this.expression();
        this.space();
        this.expect(']');
        steps.push({ kind: 'index', index });
      } else break;
    }
    if (braced) this.expect('}');
    return { name, steps, quiet, text: this.src.slice(start, this.pos) };
  }

  private args(close: string): Expr[] {
    const args: Expr[] = [];
    this.space();
    if (this.src[this.pos] === close) {
      this.pos += 1;
      return args;
    }
    for (;;) {
      args.push(this.expression());
      this.space();
      if (this.src[this.pos] === ',') {
        this.pos += 1;
        continue;
      }
      this.expect(close);
      return args;
    }
  }

  private expression(): Expr {
    return this.binaryLevel(0);
  }

  private static readonly LEVELS: string[][] = [
    ['||', 'or'],
    ['&&', 'and'],
    ['==', '!=', 'eq', 'ne'],
    ['<=', '>=', '<', '>', 'le', 'ge', 'lt', 'gt'],
    ['+', '-'],
    ['*', '/', '%'],
  ];
  private static readonly WORDS: Record<string, string> = {
    or: '||',
    and: '&&',
    eq: '==',
    ne: '!=',
    le: '<=',
    ge: '>=',
    lt: '<',
    gt: '>',
  };

  private binaryLevel(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binaryLevel(level + 1);
    for (;;) {
      this.space();
      const op = (Parser.LEVELS[level] as string[]).find((candidate) => {
        if (!this.src.startsWith(candidate, this.pos)) return false;
        if (/^[a-z]/.test(candidate)) return !/\w/.test(this.src[this.pos + candidate.length] ?? '');
        // `=` of `==` must not be mistaken for a lone `<`/`>`; ranges use `..`.
        return true;
      });
      if (!op) return left;
      this.pos += op.length;
      const right = this.binaryLevel(level + 1);
      left = { kind: 'binary', op: Parser.WORDS[op] ?? op, left, right };
    }
  }

  private unary(): Expr {
    this.space();
    if (this.src[this.pos] === '!' && this.src[this.pos + 1] !== '=') {
      this.pos += 1;
      return { kind: 'unary', op: '!', operand: this.unary() };
    }
    if (this.src.startsWith('not', this.pos) && !/\w/.test(this.src[this.pos + 3] ?? '')) {
      this.pos += 3;
      return { kind: 'unary', op: '!', operand: this.unary() };
    }
    if (this.src[this.pos] === '-' && !/\d/.test(this.src[this.pos + 1] ?? '')) {
      this.pos += 1;
      return { kind: 'unary', op: '-', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    this.space();
    const ch = this.src[this.pos];
    if (ch === '(') {
      this.pos += 1;
      const inner = this.expression();
      this.space();
      this.expect(')');
      return inner;
    }
    if (ch === '$') {
      const ref = this.tryReference();
      if (ref) return { kind: 'ref', ref };
    }
    if (ch === '"' || ch === "'") return this.stringLiteral(ch);
    if (ch === '[') {
      this.pos += 1;
      this.space();
      if (this.src[this.pos] === ']') {
        this.pos += 1;
        return { kind: 'list', items: [] };
      }
      const first = this.expression();
      this.space();
      if (this.src.startsWith('..', this.pos)) {
        this.pos += 2;
        const to = this.expression();
        this.space();
        this.expect(']');
        return { kind: 'range', from: first, to };
      }
      const items = [first];
      while (this.src[this.pos] === ',') {
        this.pos += 1;
        items.push(this.expression());
        this.space();
      }
      this.expect(']');
      return { kind: 'list', items };
    }
    if (ch === '{') {
      this.pos += 1;
      const entries: [Expr, Expr][] = [];
      this.space();
      while (this.src[this.pos] !== '}') {
        const key = this.expression();
        this.space();
        this.expect(':');
        entries.push([key, this.expression()]);
        this.space();
        if (this.src[this.pos] === ',') this.pos += 1;
        this.space();
        if (this.pos >= this.src.length) throw this.error('an unclosed map');
      }
      this.pos += 1;
      return { kind: 'map', entries };
    }
    const number = /^-?\d+(\.\d+)?/.exec(this.src.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.src.startsWith(word, this.pos) && !/\w/.test(this.src[this.pos + word.length] ?? '')) {
        this.pos += word.length;
        return { kind: 'literal', value };
      }
    }
    throw this.error('an expression was expected');
  }

  /** Single quotes are literal; double quotes interpolate references; a doubled quote is one. */
  private stringLiteral(quote: string): Expr {
    let raw = '';
    let i = this.pos + 1;
    for (;;) {
      const close = this.src.indexOf(quote, i);
      if (close < 0) throw this.error('an unclosed string');
      raw += this.src.slice(i, close);
      if (this.src[close + 1] !== quote) {
        i = close + 1;
        break;
      }
      raw += quote;
      i = close + 2;
    }
    this.pos = i;
    if (quote === "'") return { kind: 'literal', value: raw };
    return { kind: 'string', parts: new Parser(raw).template() };
  }

  private space(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos += 1;
  }

  private expect(token: string): void {
    this.space();
    if (!this.src.startsWith(token, this.pos)) throw this.error(`"${token}" was expected`);
    this.pos += token.length;
  }

  private error(what: string): TemplateError {
    const line = this.src.slice(0, this.pos).split('\n').length;
    return new TemplateError(`${what} (line ${line})`);
  }
}
