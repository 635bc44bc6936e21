import { isMap, isScalar, LineCounter, type Document, type Node, type Pair } from 'yaml';

/** Where a document path sits in the YAML source: a position and the length to underline. */
export interface Span {
  readonly line: number;
  readonly col: number;
  readonly length: number;
  readonly offset: number;
}

/**
 * Maps document paths back to source positions, so every problem names `file:line:col`. A path that does not
 * exist (a missing key) falls back to its nearest existing parent.
 */
export class SourceMap {
  constructor(private readonly doc: Document, private readonly lines: LineCounter) {}

  /** The span of the value at `path` (or of its key, when `key` is set: for unknown keys). */
  at(path: readonly (string | number)[], key = false): Span {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      if (key && depth === path.length && depth > 0) {
        const parent = prefix.length > 1 ? this.doc.getIn(prefix.slice(0, -1), true) : this.doc.contents;
        if (isMap(parent)) {
          const pair = (parent.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === prefix[prefix.length - 1]);
          if (pair && isScalar(pair.key) && pair.key.range) return this.span(pair.key.range[0], pair.key.range[1]);
        }
        continue;
      }
      const node = (prefix.length === 0 ? this.doc.contents : this.doc.getIn(prefix, true)) as Node | null | undefined;
      if (node && node.range) return this.span(node.range[0], node.range[1]);
    }
    return { line: 1, col: 1, length: 1, offset: 0 };
  }

  /** The span of `offset` characters into the string value at `path` (for a position inside an expression). */
  inside(path: readonly (string | number)[], offset: number, length: number): Span {
    const node = this.doc.getIn(path, true) as Node | undefined;
    if (!node?.range || !isScalar(node)) return this.at(path);
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
    return this.span(node.range[0] + quoted + offset, node.range[0] + quoted + offset + length);
  }

  span(start: number, end: number): Span {
    const pos = this.lines.linePos(start);
    return { line: pos.line, col: pos.col, length: Math.max(1, end - start), offset: start };
  }
}
