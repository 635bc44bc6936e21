/**
 * The pipeline expression language: `${{ params.x }}`, `${{ shard.index }}`, `${{ steps.train.version }}`,
 * comparisons and `&& || !`. No eval, no function calls: values are data looked up in a context object.
 * Pure code with no Node imports, so workflow code evaluates expressions deterministically.
 */
import { ExpressionError } from '../errors/dsl-errors';

export { ExpressionError };

export type Value = string | number | boolean | null;

export type Expr =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'path'; readonly path: readonly string[] }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||'; readonly left: Expr; readonly right: Expr };

/** A piece of a template string: literal text or an expression, with its offset in the string. */
export type Segment = { readonly text: string } | { readonly expr: Expr; readonly source: string; readonly offset: number };

const OPEN = '${{';
const CLOSE = '}}';

/** Splits a string into literal text and parsed `${{ ... }}` expressions; throws ExpressionError on bad syntax. */
export function parseTemplate(input: string): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  while (pos < input.length) {
    const start = input.indexOf(OPEN, pos);
    if (start < 0) {
      out.push({ text: input.slice(pos) });
      break;
    }
    if (start > pos) out.push({ text: input.slice(pos, start) });
    const end = input.indexOf(CLOSE, start + OPEN.length);
    if (end < 0) throw new ExpressionError('unclosed "${{": add "}}"', start);
    const source = input.slice(start + OPEN.length, end);
    out.push({ expr: parseExpression(source, start + OPEN.length), source: source.trim(), offset: start });
    pos = end + CLOSE.length;
  }
  return out;
}

export function hasExpressions(input: string): boolean {
  return input.includes(OPEN);
}

type Token = { readonly t: 'num' | 'str' | 'id' | 'op'; readonly v: string; readonly at: number };

function tokenize(src: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const at = base + i;
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { tokens.push({ t: 'op', v: two, at }); i += 2; continue; }
    if ('()!<>.'.includes(c)) { tokens.push({ t: 'op', v: c, at }); i++; continue; }
    if (c === "'" || c === '"') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) throw new ExpressionError(`unterminated string literal starting with ${c}`, at);
      tokens.push({ t: 'str', v: src.slice(i + 1, close), at });
      i = close + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { tokens.push({ t: 'num', v: num[0], at }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) { tokens.push({ t: 'id', v: id[0], at }); i += id[0].length; continue; }
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, at);
  }
  return tokens;
}

/** Parses the inside of one `${{ ... }}`. `base` is its offset in the enclosing string, for error positions. */
export function parseExpression(src: string, base = 0): Expr {
  const tokens = tokenize(src, base);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const endAt = base + src.length;
  const take = (v?: string): Token => {
    const tok = tokens[i];
    if (!tok || (v !== undefined && tok.v !== v)) throw new ExpressionError(v ? `expected "${v}"` : 'expression ends too early', tok?.at ?? endAt);
    i++;
    return tok;
  };
  const binary = (ops: readonly string[], next: () => Expr) => (): Expr => {
    let left = next();
    while (peek()?.t === 'op' && ops.includes(peek()!.v)) {
      const op = take().v as '==';
      left = { kind: 'binary', op, left, right: next() };
    }
    return left;
  };
  const primary = (): Expr => {
    const tok = take();
    if (tok.t === 'num') return { kind: 'literal', value: Number(tok.v) };
    if (tok.t === 'str') return { kind: 'literal', value: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (tok.t === 'op' && tok.v === '!') return { kind: 'not', operand: primary() };
    if (tok.t === 'id') {
      if (tok.v === 'true' || tok.v === 'false') return { kind: 'literal', value: tok.v === 'true' };
      if (tok.v === 'null') return { kind: 'literal', value: null };
      const path = [tok.v];
      while (peek()?.v === '.') {
        take('.');
        const part = take();
        if (part.t !== 'id' && part.t !== 'num') throw new ExpressionError('expected a name after "."', part.at);
        path.push(part.v);
      }
      return { kind: 'path', path };
    }
    throw new ExpressionError(`unexpected ${JSON.stringify(tok.v)}`, tok.at);
  };
  const cmp = binary(['==', '!=', '<', '<=', '>', '>='], primary);
  const and = binary(['&&'], cmp);
  const or = binary(['||'], and);
  if (tokens.length === 0) throw new ExpressionError('empty expression', base);
  const expr = or();
  if (i < tokens.length) throw new ExpressionError(`unexpected ${JSON.stringify(tokens[i]!.v)}`, tokens[i]!.at);
  return expr;
}

/** Every `a.b.c` path an expression reads, for validation before anything runs. */
export function pathsOf(expr: Expr): (readonly string[])[] {
  switch (expr.kind) {
    case 'literal': return [];
    case 'path': return [expr.path];
    case 'not': return pathsOf(expr.operand);
    case 'binary': return [...pathsOf(expr.left), ...pathsOf(expr.right)];
  }
}

export type Context = Readonly<Record<string, unknown>>;

export function evaluate(expr: Expr, ctx: Context): Value {
  switch (expr.kind) {
    case 'literal': return expr.value;
    case 'path': {
      let value: unknown = ctx;
      for (const part of expr.path) {
        // Own keys only: params.constructor or params.__proto__ must not reach Object.prototype.
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) throw new Error(`${expr.path.join('.')} is not defined`);
        value = (value as Record<string, unknown>)[part];
      }
      if (value !== null && typeof value === 'object') throw new Error(`${expr.path.join('.')} is an object, not a value`);
      return value as Value;
    }
    case 'not': return !truthy(evaluate(expr.operand, ctx));
    case 'binary': {
      if (expr.op === '&&') return truthy(evaluate(expr.left, ctx)) && truthy(evaluate(expr.right, ctx));
      if (expr.op === '||') return truthy(evaluate(expr.left, ctx)) || truthy(evaluate(expr.right, ctx));
      const l = evaluate(expr.left, ctx);
      const r = evaluate(expr.right, ctx);
      switch (expr.op) {
        case '==': return l === r;
        case '!=': return l !== r;
        case '<': return (l as number) < (r as number);
        case '<=': return (l as number) <= (r as number);
        case '>': return (l as number) > (r as number);
        case '>=': return (l as number) >= (r as number);
      }
    }
  }
}

export function truthy(v: Value): boolean {
  return v !== null && v !== false && v !== 0 && v !== '';
}

/**
 * Evaluates a template: a string that is exactly one `${{ expr }}` keeps the value's type (a number stays a
 * number); anything else becomes a string with each expression's value in place.
 */
export function renderTemplate(input: string, ctx: Context): Value {
  const segments = parseTemplate(input);
  const only = segments[0];
  if (segments.length === 1 && only && 'expr' in only) return evaluate(only.expr, ctx);
  return segments.map((s) => ('text' in s ? s.text : String(evaluate(s.expr, ctx)))).join('');
}
