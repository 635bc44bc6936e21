import type { ManifestEntry } from './manifest-chunk';
import type { DiffEntry } from './manifest-diff';
import { comparePaths } from '../paths';

/**
 * What changed from the base of `first` to the version of `second`, when `second`'s base is `first`'s version: the
 * two lists of changes (each in path order, as the diff yields them) made one, in path order. A path changed in both
 * takes its state before the first and after the second (added then removed is no change; changed back to the very
 * entry it was, none either). Undefined when the two do not follow each other (a path added that was there, removed
 * or changed that was not, or changed from other bytes than the first left): the caller then diffs the manifests.
 */
export function composeChanges(first: readonly DiffEntry[], second: readonly DiffEntry[]): DiffEntry[] | undefined {
  const out: DiffEntry[] = [];
  let [i, j] = [0, 0];
  while (i < first.length || j < second.length) {
    const order = i === first.length ? 1 : j === second.length ? -1 : comparePaths(first[i]!.path, second[j]!.path);
    if (order < 0) out.push(first[i++]!);
    else if (order > 0) out.push(second[j++]!);
    else {
      const both = joined(first[i++]!, second[j++]!);
      if (both === undefined) return undefined;
      if (both !== null) out.push(both);
    }
  }
  return out;
}

/** One path changed by `a` then `b`: the change from before `a` to after `b` (null: none), or undefined when they do not follow. */
function joined(a: DiffEntry, b: DiffEntry): DiffEntry | null | undefined {
  const middle = a.kind === 'removed' ? undefined : a.after;
  const mid = b.kind === 'added' ? undefined : b.before;
  // What `a` left must be what `b` started from: both nothing, or the same entry.
  if ((middle === undefined) !== (mid === undefined) || (middle && mid && !sameEntry(middle, mid))) return undefined;
  const before = a.kind === 'added' ? undefined : a.before;
  const after = b.kind === 'removed' ? undefined : b.after;
  if (before === undefined && after === undefined) return null;
  if (before === undefined) return { kind: 'added', path: a.path, after: after! };
  if (after === undefined) return { kind: 'removed', path: a.path, before };
  return sameEntry(before, after) ? null : { kind: 'modified', path: a.path, before, after };
}

function sameEntry(x: ManifestEntry, y: ManifestEntry): boolean {
  return x.digest === y.digest && x.size === y.size && (x.ref ?? null) === (y.ref ?? null);
}
