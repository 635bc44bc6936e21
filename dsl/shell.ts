/**
 * Where each `${{ ... }}` of a shell-form `run` stands, as /bin/sh would read the string: unquoted, inside
 * double quotes, or somewhere a value cannot be one word (single quotes, backticks, `${...}`, `$((...))`, a
 * here-document, right after `\` or `$`). Rendering needs this to write the value's environment variable so
 * that it stays exactly one word; validation needs it to refuse the places where that is impossible.
 * A small scanner, not a shell parser: it follows quotes, escapes, comments and `$(`/`${`/`$((` nesting, which
 * is all that decides how a `$NAME` at a given point is expanded. Pure code (workflow code renders commands).
 */
import type { Segment } from './expressions';

/** `word`: write `"${NAME}"`; `double`: already inside double quotes, write `${NAME}`. */
export type Placement = { readonly quoting: 'word' | 'double' } | { readonly problem: string };

type Frame =
  | { readonly kind: 'plain' | 'double' | 'single' | 'backtick' | 'param' | 'comment' }
  | { readonly kind: 'cmdsub' | 'arith'; depth: number };

/** A run string as characters, with each expression replaced by its index among the expressions. */
type Cell = string | number;

const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** One placement per expression segment, in order. */
export function placeInShell(segments: readonly Segment[]): Placement[] {
  const cells: Cell[] = [];
  let count = 0;
  for (const seg of segments) {
    if ('text' in seg) cells.push(...seg.text);
    else cells.push(count++);
  }
  const scanner = new Scanner(cells);
  const placements = scanner.run();
  const open = scanner.unclosed();
  return open ? placements.map(() => ({ problem: open })) : placements;
}

class Scanner {
  private readonly stack: Frame[] = [{ kind: 'plain' }];
  private escaped = false;
  private hereDoc = false;
  private readonly placements: Placement[] = [];

  constructor(private readonly cells: readonly Cell[]) {}

  run(): Placement[] {
    for (let i = 0; i < this.cells.length; i++) {
      const cell = this.cells[i]!;
      if (typeof cell === 'number') this.placements.push(this.place());
      else i = this.step(cell, i);
      if (typeof cell === 'number') this.escaped = false;
    }
    return this.placements;
  }

  /** Why the string does not end at the top level (an unclosed quote or substitution), if it does not. */
  unclosed(): string | undefined {
    const top = this.top();
    if (top.kind === 'plain' || top.kind === 'comment') return undefined;
    const what = { double: 'a double quote (")', single: "a single quote (')", backtick: 'a backtick (`)', param: 'a "${"', cmdsub: 'a "$("', arith: 'a "$(("' }[top.kind];
    return `the shell string leaves ${what} open, so the shell would reject it; close it`;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private place(): Placement {
    const top = this.top();
    if (this.escaped) return { problem: 'it stands right after a backslash, which would escape the quoting of its value; remove the backslash' };
    if (this.hereDoc) return { problem: 'it stands after a here-document (<<), whose text the shell does not split into words; set the value under env: and read the variable in the here-document' };
    switch (top.kind) {
      case 'plain':
      case 'cmdsub':
      case 'comment':
        return { quoting: 'word' };
      case 'double':
        return { quoting: 'double' };
      case 'single':
        return { problem: "it stands inside single quotes, where the shell expands nothing; close the quotes around it ('...'${{ expr }}'...')" };
      case 'backtick':
        return { problem: 'it stands inside backticks; write $( ... ) instead' };
      case 'param':
        return { problem: 'it stands inside a ${...} expansion; set the value under env: and use the variable instead' };
      case 'arith':
        return { problem: 'it stands inside $(( ... )), where the shell would evaluate the value as arithmetic code; compute with an expression or in the command instead' };
    }
  }

  /** Consumes the character at `i` (and any it looks ahead at); returns the index of the last one consumed. */
  private step(c: string, i: number): number {
    const top = this.top();
    if (top.kind === 'single') {
      if (c === "'") this.stack.pop();
      return i;
    }
    if (top.kind === 'comment') {
      if (c === '\n') this.stack.pop();
      return i;
    }
    if (this.escaped) {
      this.escaped = false;
      return i;
    }
    if (c === '\\') {
      this.escaped = true;
      return i;
    }
    if (c === '$') return this.dollar(i);
    if (c === '`') {
      if (top.kind === 'backtick') this.stack.pop();
      else this.stack.push({ kind: 'backtick' });
      return i;
    }
    if (top.kind === 'double') {
      if (c === '"') this.stack.pop();
      return i;
    }
    if (top.kind === 'backtick') return i;
    return this.unquoted(c, i, top);
  }

  /** A character outside quotes: at the top level, in `$( )`, `$(( ))` or `${ }`. */
  private unquoted(c: string, i: number, top: Frame): number {
    if (c === "'" && top.kind !== 'arith') this.stack.push({ kind: 'single' });
    else if (c === '"') this.stack.push({ kind: 'double' });
    else if (top.kind === 'param' && c === '}') this.stack.pop();
    else if (top.kind === 'cmdsub' || top.kind === 'arith') {
      if (c === '(') top.depth++;
      if (c === ')' && --top.depth === 0) this.stack.pop();
      if (top.kind === 'cmdsub') this.plain(c, i);
    } else if (top.kind === 'plain') this.plain(c, i);
    return i;
  }

  /** Comments and here-documents, which start only in command text. */
  private plain(c: string, i: number): void {
    const prev = this.cells[i - 1];
    if (c === '#' && (prev === undefined || (typeof prev === 'string' && WORD_BREAK.has(prev)))) this.stack.push({ kind: 'comment' });
    if (c === '<' && prev === '<') this.hereDoc = true;
  }

  /** `$(`, `$((` and `${` open nested scopes; an expression right after `$` cannot be written at all. */
  private dollar(i: number): number {
    const next = this.cells[i + 1];
    if (typeof next === 'number') {
      this.placements.push({ problem: 'it stands right after a "$", which would change how its value is read; put a space or another character between them' });
      return i + 1;
    }
    if (next === '{') {
      this.stack.push({ kind: 'param' });
      return i + 1;
    }
    if (next === '(') {
      if (this.cells[i + 2] === '(') {
        this.stack.push({ kind: 'arith', depth: 2 });
        return i + 2;
      }
      this.stack.push({ kind: 'cmdsub', depth: 1 });
      return i + 1;
    }
    return i;
  }
}
