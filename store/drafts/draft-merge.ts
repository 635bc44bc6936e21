import type { BlobStore } from '../blobs/blob-store';
import { ManifestWriter, readManifest, type ManifestEntry, type ManifestTree } from '../manifest/manifest';
import { ChunkReader } from '../manifest/manifest-cursor';
import { editTree } from '../manifest/manifest-edit';
import { firstUnder, lookupPaths } from '../manifest/manifest-lookup';
import { comparePaths } from '../paths';
import { contributionKey, MergeBatch, writerOf } from './merge-batch';
import type { Contribution, ContributionOutcome, DraftIndex, MergeResult } from './merge-types';

export type { ConflictOutcome, Contribution, ContributionOutcome, DraftIndex, MergeResult } from './merge-types';

/** Incoming entries held in memory at once: a batch's small contributions together, or a window of a huge one. */
export const MERGE_WINDOW = 50_000;

/**
 * Pending entries are folded into the files tree once this many have gathered: ~32 leaves, so a batch of scattered
 * paths rewrites at most those and a node or two, and a fold touches each files chunk once for many batches.
 */
export const FOLD_AT = 4096;

export interface MergeOptions {
  /** Write nothing (a late finish tested against the committed version). */
  readonly dryRun?: boolean;
  /** Incoming entries judged in memory at once (MERGE_WINDOW). */
  readonly window?: number;
  /** Pending entries that trigger a fold into the files tree (FOLD_AT; 1 folds every batch at once). */
  readonly foldAt?: number;
  /** Fold every pending entry into the files tree after merging (before a commit). */
  readonly settle?: boolean;
}

/**
 * Merges contributions into a draft, in order. A contribution is all or nothing: if any of its paths holds
 * different bytes in the draft (or in an earlier contribution of the batch), or would make a file and a folder of
 * the same name, it is refused, naming the writer that got there first. A contribution already merged (same
 * writer, same content) is a duplicate and changes nothing, so retries are idempotent. With `dryRun` nothing is
 * written (used to test a late finish against a committed version).
 *
 * Cost is O(batch): the draft's trees are read only where the batch's paths fall and edited chunk by chunk
 * (manifest-edit.ts), never rewritten; accepted entries go to the small pending tree, folded into the files tree
 * FOLD_AT at a time, so the chunks a batch rewrites do not grow with the draft's height. Small contributions are
 * judged together, up to `window` entries; a larger one is judged and merged on its own as a stream of windows, so
 * memory stays bounded whatever its size.
 */
export async function mergeContributions(blobs: BlobStore, index: DraftIndex, contributions: readonly Contribution[], options: MergeOptions = {}): Promise<MergeResult> {
  const window = options.window ?? MERGE_WINDOW;
  const dryRun = options.dryRun === true;
  const outcomes: ContributionOutcome[] = [];
  const accepted: Contribution[] = [];
  let current = index;
  for (const segment of segmentsOf(contributions, window)) {
    const merged = segment.length === 1 && segment[0]!.manifest.count > window
      ? await mergeLarge(blobs, current, segment[0]!, window, dryRun)
      : await mergeSmall(blobs, current, segment, dryRun, options.foldAt ?? FOLD_AT);
    outcomes.push(...merged.outcomes);
    accepted.push(...merged.accepted);
    current = merged.index;
  }
  if (options.settle && !dryRun) current = await settleDraft(blobs, current);
  return { index: current, outcomes, newWriters: dryRun ? 0 : await countNewWriters(blobs, index.writers, accepted) };
}

/** Folds a draft's pending entries into its files tree: the draft a commit takes as its version. */
export async function settleDraft(blobs: BlobStore, index: DraftIndex): Promise<DraftIndex> {
  if (!index.pending) return index;
  return { files: await putEntries(blobs, index.files, await readAll(blobs, index.pending.root)), writers: index.writers };
}

/**
 * Adds accepted entries (paths in neither tree) to the pending tree, or, when that makes `foldAt` or more, folds
 * the pending entries and these into the files tree in one edit.
 */
async function addAccepted(blobs: BlobStore, index: DraftIndex, entries: readonly ManifestEntry[], foldAt: number): Promise<Pick<DraftIndex, 'files' | 'pending'>> {
  const pending = index.pending ?? null;
  if (entries.length === 0) return { files: index.files, pending };
  if ((pending?.count ?? 0) + entries.length < foldAt) return { files: index.files, pending: await putEntries(blobs, pending, entries) };
  const folded = pending ? [...(await readAll(blobs, pending.root)), ...entries] : entries;
  return { files: await putEntries(blobs, index.files, folded), pending: null };
}

/** A draft index as stored: `pending` only while it holds entries, so a draft that never had one keeps its shape. */
function indexOf(files: ManifestTree | null, writers: ManifestTree | null, pending: ManifestTree | null | undefined): DraftIndex {
  return pending ? { files, writers, pending } : { files, writers };
}

interface SegmentResult {
  readonly index: DraftIndex;
  readonly outcomes: readonly ContributionOutcome[];
  readonly accepted: readonly Contribution[];
}

/** Runs of contributions whose entries fit one window together; a contribution larger than a window stands alone. */
function segmentsOf(contributions: readonly Contribution[], window: number): Contribution[][] {
  const segments: Contribution[][] = [];
  let open: Contribution[] = [];
  let size = 0;
  for (const c of contributions) {
    if (open.length > 0 && (size + c.manifest.count > window || c.manifest.count > window)) {
      segments.push(open);
      open = [];
      size = 0;
    }
    open.push(c);
    size += c.manifest.count;
  }
  if (open.length > 0) segments.push(open);
  return segments;
}

/** Judges contributions that fit in memory together, then applies the accepted ones as one edit of each tree. */
async function mergeSmall(blobs: BlobStore, index: DraftIndex, contributions: readonly Contribution[], dryRun: boolean, foldAt: number): Promise<SegmentResult> {
  const known = await knownKeys(blobs, index.writers, contributions.map(contributionKey));
  const incoming = new Map<string, ManifestEntry[]>();
  for (const c of contributions) {
    const key = contributionKey(c);
    if (!known.has(key) && !incoming.has(key)) incoming.set(key, await readAll(blobs, c.manifest.root));
  }
  const batch = new MergeBatch(blobs, index);
  await batch.lookUp([...incoming.values()].flat());
  const outcomes: ContributionOutcome[] = [];
  for (const c of contributions) {
    const entries = incoming.get(contributionKey(c));
    const repeat = batch.acceptedKeys.some((a) => contributionKey(a) === contributionKey(c));
    outcomes.push(!entries || repeat ? { writer: c.writer, status: 'duplicate' } : await batch.judge(c, entries));
  }
  if (dryRun || batch.acceptedKeys.length === 0) return { index, outcomes, accepted: [] };
  const { files, pending } = await addAccepted(blobs, index, [...batch.accepted.values()].map((a) => a.entry), foldAt);
  return { index: indexOf(files, await putWriters(blobs, index.writers, batch.acceptedKeys), pending), outcomes, accepted: batch.acceptedKeys };
}

/**
 * Judges one contribution too large to hold, window by window against the draft (reading only the chunks its
 * paths touch); if no window conflicts, reads it again and merges it window by window.
 */
async function mergeLarge(blobs: BlobStore, index: DraftIndex, c: Contribution, window: number, dryRun: boolean): Promise<SegmentResult> {
  if ((await knownKeys(blobs, index.writers, [contributionKey(c)])).size > 0) return { index, outcomes: [{ writer: c.writer, status: 'duplicate' }], accepted: [] };
  let added = 0;
  for await (const entries of windowsOf(blobs, c.manifest.root, window)) {
    const batch = new MergeBatch(blobs, index);
    await batch.lookUp(entries);
    const conflict = await batch.conflictIn(c, entries);
    if (conflict) return { index, outcomes: [conflict], accepted: [] };
    added += batch.newEntries(entries).length;
  }
  const outcomes: ContributionOutcome[] = [{ writer: c.writer, status: 'merged', added }];
  if (dryRun) return { index, outcomes, accepted: [] };
  // Straight into the files tree, window by window: the pending entries stay pending (no path is in both).
  let files = index.files;
  for await (const entries of windowsOf(blobs, c.manifest.root, window)) {
    const batch = new MergeBatch(blobs, { ...index, files });
    await batch.lookUp(entries);
    files = await putEntries(blobs, files, batch.newEntries(entries));
  }
  return { index: indexOf(files, await putWriters(blobs, index.writers, [c]), index.pending), outcomes, accepted: [c] };
}

/** Which of `keys` (contribution keys) the writers tree already holds, reading only the chunks they fall in. */
async function knownKeys(blobs: BlobStore, writers: ManifestTree | null, keys: readonly string[]): Promise<Set<string>> {
  if (!writers) return new Set();
  const sorted = [...new Set(keys)].sort(comparePaths);
  return new Set((await lookupPaths(blobs, writers.root, sorted)).keys());
}

/** Writers of accepted contributions that had none in the draft before this merge. */
async function countNewWriters(blobs: BlobStore, writersBefore: ManifestTree | null, accepted: readonly Contribution[]): Promise<number> {
  const names = new Set(accepted.map((c) => c.writer));
  if (!writersBefore) return names.size;
  const reader = new ChunkReader(blobs);
  let count = 0;
  for (const name of names) if ((await firstUnder(reader, writersBefore.root, encodeURIComponent(name))) === undefined) count++;
  return count;
}

async function readAll(blobs: BlobStore, root: string): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  for await (const e of readManifest(blobs, root)) entries.push(e);
  return entries;
}

/** A manifest's entries in path order, `size` at a time. */
async function* windowsOf(blobs: BlobStore, root: string, size: number): AsyncGenerator<ManifestEntry[]> {
  let window: ManifestEntry[] = [];
  for await (const e of readManifest(blobs, root)) {
    window.push(e);
    if (window.length >= size) {
      yield window;
      window = [];
    }
  }
  if (window.length > 0) yield window;
}

/** Puts new entries (paths the tree does not hold) into a tree, editing only the chunks they fall in. */
async function putEntries(blobs: BlobStore, tree: ManifestTree | null, entries: readonly ManifestEntry[]): Promise<ManifestTree | null> {
  if (entries.length === 0) return tree;
  const edits = [...entries].sort((a, b) => comparePaths(a.path, b.path)).map((entry) => ({ path: entry.path, entry }));
  const base = tree?.root ?? (await new ManifestWriter(blobs).finish()).root;
  return (await editTree(blobs, base, edits)).tree;
}

function putWriters(blobs: BlobStore, writers: ManifestTree | null, accepted: readonly Contribution[]): Promise<ManifestTree | null> {
  return putEntries(blobs, writers, accepted.map((c) => ({ path: contributionKey(c), digest: c.manifest.root, size: c.manifest.count })));
}

/** How many contributions a writers tree holds, and the distinct writers among them. */
export async function countWriters(blobs: BlobStore, writers: ManifestTree | null): Promise<{ contributions: number; writers: string[] }> {
  const names = new Set<string>();
  let contributions = 0;
  if (writers) {
    for await (const w of readManifest(blobs, writers.root)) {
      contributions++;
      names.add(writerOf(w.path));
    }
  }
  return { contributions, writers: [...names] };
}
