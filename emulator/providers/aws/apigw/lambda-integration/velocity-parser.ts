/**
 * The parser of the Velocity subset of API Gateway mapping templates (velocity-template.ts renders
 * what it builds): text, references, directives and expressions, with errors that give the line.
 */

export class TemplateError extends Error {}

export type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'string'; parts: Node[] }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'range'; from: Expr; to: Expr }
  | { kind: 'map'; entries: [Expr, Expr][] }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

export type Step =
  | { kind: 'prop'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'index'; index: Expr };
export interface Reference {
  name: string;
  steps: Step[];
  quiet: boolean;
  text: string;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'set'; target: Reference; value: Expr }
  | { kind: 'if'; branches: { test: Expr | undefined; body: Node[] }[] }
  | { kind: 'foreach'; variable: string; list: Expr; body: Node[] }
  | { kind: 'define'; name: string; body: Node[] }
  | { kind: 'break' };

const DIRECTIVES = ['set', 'if', 'elseif', 'else', 'end', 'foreach', 'define', 'break', 'stop'];

export class Parser {
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
      case 'define': {
        // `#define($name) … #end`: a block rendered where `$name` is used, in that scope.
        this.expect('(');
        this.space();
        const target = this.tryReference();
        if (!target || target.steps.length) throw this.error('#define needs a $name');
        this.expect(')');
        const { nodes, end } = this.block(true);
        if (end !== 'end') throw this.error('#define without #end');
        return { kind: 'define', name: target.name, body: nodes };
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
        // Velocity names may hold hyphens (`$context.responseOverride.header.Access-Control-Max-Age`).
        const word = /^[A-Za-z_][\w-]*/.exec(this.src.slice(this.pos + 1))?.[0] ?? '';
        const member = word.replace(/-+$/, '');
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
