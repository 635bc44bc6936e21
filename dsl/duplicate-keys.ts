/**
 * Duplicate mapping keys, found in one pass. The yaml library's own check compares each key with every key
 * before it in its mapping, which is quadratic: 40,000 steps took 18 s. Parsing runs with that check off and
 * this one reports the same mistake, with where the key was first given.
 */
import { isMap, isPair, isScalar, isSeq, visit, type Document, type Node } from 'yaml';
import type { SourceMap, Span } from './source-map';

export interface DuplicateKey {
  readonly key: string;
  /** Document path of the mapping that holds the key twice. */
  readonly path: readonly (string | number)[];
  readonly span: Span;
  readonly firstLine: number;
}

export function findDuplicateKeys(doc: Document, map: SourceMap): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  visit(doc, {
    Map(_, node, ancestors) {
      const seen = new Map<unknown, Node>();
      for (const pair of node.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const prior = seen.get(pair.key.value);
        if (!prior) {
          seen.set(pair.key.value, pair.key);
          continue;
        }
        const firstLine = map.span(prior.range![0], prior.range![1]).line;
        found.push({ key: String(pair.key.value), path: pathOf([...ancestors, node]), span: map.span(pair.key.range[0], pair.key.range[1]), firstLine });
      }
    },
  });
  return found;
}

/** The document path of the last node in `chain` (the visitor's ancestors, then the node itself). */
function pathOf(chain: readonly unknown[]): (string | number)[] {
  const out: (string | number)[] = [];
  chain.forEach((node, i) => {
    const next = chain[i + 1];
    if (isPair(node) && isScalar(node.key)) out.push(String(node.key.value));
    else if (isSeq(node) && next !== undefined) out.push(node.items.indexOf(next as Node));
    else if (isMap(node)) return;
  });
  return out;
}
