import { comparePaths, FileFolderClash, joinEntryPath, refuseClashes } from '../paths';
import { resolveSpec, type FileSource, type Source } from './sources';
import type { ArtifactSpec, SpecOp } from './spec';
import { walkSorted, type SkippedPath } from './sorted-walk';
import { PathClashError } from '../../errors';

/** One entry of the artifact and where its bytes come from, as the stream yields them. */
export type SourceEntry = readonly [path: string, source: Source];

/** Whether a spec can be staged as a stream: one without removals (a removal is applied to what came before it). */
export function isStreamable(spec: ArtifactSpec): boolean {
  return spec.ops.every((op) => op.op !== 'remove');
}

/**
 * The entries a spec without removals names, in path order, as a stream: each folder is walked in sorted order
 * (walkSorted), each run of single entries between folders is sorted in memory (the spec holds them already), and
 * the streams are merged; where two ops name the same path the later op wins, as resolveSpec does. Memory holds one
 * folder listing per depth per folder op, never the list of all paths. With `after`, only paths after it come out,
 * so a resumed staging starts where the last one stopped. A file and a folder of the same name are refused.
 */
export function* streamSources(spec: ArtifactSpec, skipped: SkippedPath[], after?: string): Generator<SourceEntry> {
  const streams = groupOps(spec.ops).map((group) => (group.op === 'dir' ? dirStream(group, skipped, after) : listStream(group.ops, skipped, after)));
  const heads = streams.map((s) => s.next());
  const clash = new FileFolderClash();
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      if (head.done) continue;
      // Ties go to the later op (the higher index), whose add replaces the earlier ones'.
      if (best < 0 || comparePaths(head.value[0], (heads[best]!.value as SourceEntry)[0]) <= 0) best = i;
    }
    if (best < 0) return;
    const entry = heads[best]!.value as SourceEntry;
    for (let i = 0; i < heads.length; i++) {
      if (!heads[i]!.done && (heads[i]!.value as SourceEntry)[0] === entry[0]) heads[i] = streams[i]!.next();
    }
    const file = clash.add(entry[0]);
    if (file !== undefined) throw new PathClashError(file, entry[0]);
    yield entry;
  }
}

type Group = { readonly op: 'dir'; readonly local: string; readonly prefix: string; readonly hardLink: boolean } | { readonly op: 'list'; readonly ops: SpecOp[] };

/** Folder ops each on their own; the single-entry ops between them in runs. */
function groupOps(ops: readonly SpecOp[]): Group[] {
  const groups: Group[] = [];
  for (const op of ops) {
    if (op.op === 'dir') {
      groups.push({ op: 'dir', local: op.local, prefix: op.prefix, hardLink: op.hardLinkIntoStore === true });
      continue;
    }
    const last = groups[groups.length - 1];
    if (last?.op === 'list') last.ops.push(op);
    else groups.push({ op: 'list', ops: [op] });
  }
  return groups;
}

/** A file a folder walk found, as a source (a class, not an object literal: see "Memory" in this folder's README). */
class WalkedSource implements FileSource {
  readonly kind = 'file';
  constructor(
    readonly local: string,
    readonly size: number,
    readonly mtimeMs: number,
    readonly hardLink: boolean,
  ) {}
}

function* dirStream(group: Extract<Group, { op: 'dir' }>, skipped: SkippedPath[], after: string | undefined): Generator<SourceEntry> {
  let relAfter: string | undefined;
  if (after !== undefined && group.prefix !== '') {
    // The folder's entries sort in [prefix/, prefix0): before that range nothing is skipped, past it everything is.
    if (comparePaths(after, `${group.prefix}0`) >= 0) return;
    if (after.startsWith(`${group.prefix}/`)) relAfter = after.slice(group.prefix.length + 1);
  } else {
    relAfter = after;
  }
  for (const f of walkSorted(group.local, skipped, relAfter)) {
    yield [joinEntryPath(group.prefix, f.rel), new WalkedSource(f.local, f.size, f.mtimeMs, group.hardLink)];
  }
}

function* listStream(ops: readonly SpecOp[], skipped: SkippedPath[], after: string | undefined): Generator<SourceEntry> {
  const sources = resolveSpec({ format: 'temporal-artifacts/spec@1', ops }, skipped);
  const paths = [...sources.keys()].filter((p) => after === undefined || comparePaths(p, after) > 0).sort(comparePaths);
  for (const p of paths) yield [p, sources.get(p)!];
}

/** The entries of a spec resolved in memory (one with removals), in path order after `after`. */
export function* sortedSources(sources: ReadonlyMap<string, Source>, after: string | undefined): Generator<SourceEntry> {
  const paths = [...sources.keys()].sort(comparePaths);
  refuseClashes(paths);
  for (const p of paths) if (after === undefined || comparePaths(p, after) > 0) yield [p, sources.get(p)!];
}
