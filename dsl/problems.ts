import type { Problem } from '../errors/dsl-errors';

export { PipelineError, type Problem } from '../errors/dsl-errors';

/** Formats a document path: ['steps', 'train', 'needs', 0] -> steps.train.needs[0]. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(document)';
}

/** Prints problems like a compiler: `file:line:col: error: message [code]`, the source line, and a caret. */
export function renderProblems(problems: readonly Problem[], source: string): string {
  const lines = source.split('\n');
  const out: string[] = [];
  for (const p of problems) {
    out.push(`${p.file}:${p.line}:${p.col}: error: ${p.message} [${p.code}]`);
    const text = lines[p.line - 1];
    if (text !== undefined) {
      const gutter = String(p.line).padStart(4);
      out.push(`${gutter} | ${text}`);
      out.push(`${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, p.col - 1))}${'^'.repeat(Math.max(1, Math.min(p.length, text.length - p.col + 1)))}`);
    }
  }
  out.push(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${problems[0]?.file ?? 'pipeline'}`);
  return out.join('\n');
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length]!;
}
