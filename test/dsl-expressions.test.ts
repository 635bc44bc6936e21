import { describe, expect, test } from 'vitest';
import { evaluate, ExpressionError, parseTemplate, renderTemplate } from 'temporal-artifacts/dsl';
import { parseExpression, pathsOf, truthy } from 'temporal-artifacts/internal';

const ctx = { params: { n: 4, name: 'resnet', fast: false, empty: '' }, steps: { train: { version: 'v2', exitCode: 0 } }, run: { id: 'r-1' } };

const errorOf = (fn: () => unknown): { message: string; offset: number } => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExpressionError) return { message: err.message, offset: err.offset };
    throw err;
  }
  throw new Error('expected an ExpressionError');
};

describe('templates split into literal text and expressions, with each expression where it was written', () => {
  test('text around and between expressions is kept, offsets point at each "${{"', () => {
    expect(parseTemplate('a ${{ params.n }}-${{run.id}} z').map((s) => ('text' in s ? s.text : { source: s.source, offset: s.offset }))).toEqual([
      'a ', { source: 'params.n', offset: 2 }, '-', { source: 'run.id', offset: 18 }, ' z',
    ]);
  });

  test('an unclosed "${{" and a malformed expression are errors at the character that is wrong', () => {
    expect(errorOf(() => parseTemplate('x ${{ params.n'))).toEqual({ message: 'unclosed "${{": add "}}"', offset: 2 });
    expect(errorOf(() => parseTemplate('${{ params.n == }}'))).toEqual({ message: 'expression ends too early', offset: 16 });
    expect(errorOf(() => parseExpression('params.n # 1'))).toEqual({ message: 'unexpected character "#"', offset: 9 });
    expect(errorOf(() => parseExpression("'open"))).toEqual({ message: "unterminated string literal starting with '", offset: 0 });
    expect(errorOf(() => parseExpression('  '))).toEqual({ message: 'empty expression', offset: 0 });
    expect(errorOf(() => parseExpression('a b'))).toEqual({ message: 'unexpected "b"', offset: 2 });
  });
});

describe('expressions are data looked up in a context, never code', () => {
  test('comparisons, && || ! and parentheses follow the usual precedence', () => {
    const value = (src: string): unknown => evaluate(parseExpression(src), ctx);
    expect(value('params.n > 3 && params.name == "resnet"')).toBe(true);
    expect(value('params.fast || params.n <= 3')).toBe(false);
    expect(value('!(params.n != 4) || params.fast')).toBe(true);
    expect(value('params.fast || params.n == 4 && params.name == "x"')).toBe(false);
    expect(value('steps.train.exitCode == 0')).toBe(true);
    expect(value('-1 < 0.5')).toBe(true);
    expect(value('null == null')).toBe(true);
  });

  test('a missing path or an object is an error naming the path', () => {
    expect(() => evaluate(parseExpression('params.missing'), ctx)).toThrow('params.missing is not defined');
    expect(() => evaluate(parseExpression('steps.train'), ctx)).toThrow('steps.train is an object, not a value');
  });

  test('names inherited from Object.prototype are not defined: params.constructor, params.toString, params.__proto__', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => evaluate(parseExpression(`params.${name}`), ctx)).toThrow(`params.${name} is not defined`);
    }
  });

  test('pathsOf lists every path an expression reads, for validation', () => {
    expect(pathsOf(parseExpression('!(params.a == steps.b.version) && shard.index > 1'))).toEqual([['params', 'a'], ['steps', 'b', 'version'], ['shard', 'index']]);
  });

  test('only null, false, 0 and the empty string are false', () => {
    expect([null, false, 0, '', 'false', '0', 1, true].map(truthy)).toEqual([false, false, false, false, true, true, true, true]);
  });
});

describe('rendering a template', () => {
  test('a string that is exactly one expression keeps the value type; anything else is text', () => {
    expect(renderTemplate('${{ params.n }}', ctx)).toBe(4);
    expect(renderTemplate(' ${{ params.n }}', ctx)).toBe(' 4');
    expect(renderTemplate('${{ params.fast }}/${{ steps.train.version }}', ctx)).toBe('false/v2');
    expect(renderTemplate('no expressions', ctx)).toBe('no expressions');
  });

  test('a value is inserted once and never read again as a template', () => {
    expect(renderTemplate('x${{ params.name }}y', { params: { name: '${{ params.secret }}' } })).toBe('x${{ params.secret }}y');
  });
});
