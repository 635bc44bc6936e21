import type { BlobStore } from '../blobs/blob-store';
import type { ManifestRef, ManifestTree } from './manifest';
import { versionDigestOf } from './manifest';
import { encodeChunk, isLeaf, keyOf, rowOf, type LeafRow, type ManifestEntry, type NodeRow } from './manifest-chunk';
import { buildAbove, LevelChunker, newChunkStats, type ChunkStats } from './manifest-chunker';
import { ChunkReader, LevelCursor } from './manifest-cursor';
import { comparePaths } from '../paths';

/** One change to a manifest: put an entry at `path` (add or replace), or remove the entry there (`entry: null`). */
export interface ManifestEdit {
  readonly path: string;
  readonly entry: ManifestEntry | null;
}

export interface EditChanges {
  added: number;
  removed: number;
  modified: number;
}

/** An edit's outcome before the version digest: the new tree and what writing it cost. */
export interface TreeEditResult {
  readonly tree: ManifestTree;
  readonly changes: EditChanges;
  /** Chunks written (the new metadata) and chunks read, to show an edit costs O(changes). */
  readonly chunksWritten: number;
  readonly chunkBytes: number;
  readonly chunksRead: number;
}

export interface EditResult extends Omit<TreeEditResult, 'tree'> {
  readonly manifest: ManifestRef;
}

type Row = LeafRow | NodeRow;
interface LevelEdit {
  readonly key: string;
  readonly row: Row | null;
}

interface Context {
  readonly blobs: BlobStore;
  readonly reader: ChunkReader;
  readonly stats: ChunkStats;
  readonly changes: EditChanges;
  readonly root: string;
}

/**
 * Applies edits (sorted by path, one per path) to a stored manifest tree and returns the new tree. Level by
 * level, only the chunks holding an edit are re-cut, starting at the chunk's start (a boundary of the old and the
 * new tree alike) and carrying on into the next chunk until a cut lands where an old chunk ended; from there the
 * old chunks are reused as they are. The rows of the chunks re-cut become edits of the level above. Writes are
 * O(changes x height); the result is the same tree, to the byte, that writing the new entries from scratch gives.
 * The canonical version digest is then streamed from the new leaves (reads only, no parsing).
 */
export async function editManifest(blobs: BlobStore, baseRoot: string, edits: readonly ManifestEdit[]): Promise<EditResult> {
  const { tree, ...rest } = await editTree(blobs, baseRoot, edits);
  return { manifest: { ...tree, digest: await versionDigestOf(blobs, tree.root) }, ...rest };
}

/**
 * The tree half of editManifest, without the version digest (which reads every leaf): what a collaborative draft
 * does to its small pending tree per merge batch, and to its files tree per fold (drafts/README.md); the digest is
 * taken once, at the commit.
 */
export async function editTree(blobs: BlobStore, baseRoot: string, edits: readonly ManifestEdit[]): Promise<TreeEditResult> {
  for (let i = 1; i < edits.length; i++) {
    if (comparePaths(edits[i - 1]!.path, edits[i]!.path) >= 0) throw new Error(`manifest edits must be sorted and unique: ${JSON.stringify(edits[i]!.path)} after ${JSON.stringify(edits[i - 1]!.path)}`);
  }
  const ctx: Context = { blobs, reader: new ChunkReader(blobs), stats: newChunkStats(), changes: { added: 0, removed: 0, modified: 0 }, root: baseRoot };
  const rootHeight = await ctx.reader.height(baseRoot);
  let levelEdits: LevelEdit[] = edits.map((e) => ({ key: e.path, row: e.entry && rowOf(e.entry) }));
  let root = baseRoot;
  for (let h = 0; levelEdits.length > 0; h++) {
    const { parentEdits, emitted } = await editLevel(ctx, h, levelEdits);
    if (h < rootHeight) {
      levelEdits = parentEdits;
      continue;
    }
    root = emitted.length === 0 ? await blobs.putBytes(encodeChunk({ l: [] })) : await buildAbove(blobs, ctx.stats, emitted, h);
    root = await dropSingleRowRoots(ctx.reader, root);
    break;
  }
  const top = await ctx.reader.read(root);
  const count = isLeaf(top) ? top.l.length : top.n.reduce((n, r) => n + r[2], 0);
  const size = isLeaf(top) ? top.l.reduce((n, r) => n + r[2], 0) : top.n.reduce((n, r) => n + r[3], 0);
  return { tree: { root, count, size }, changes: ctx.changes, chunksWritten: ctx.stats.chunksWritten, chunkBytes: ctx.stats.chunkBytes, chunksRead: ctx.reader.fetched.length };
}

/** Re-cuts the chunks of height `h` that edits touch; returns the edits this makes to the rows of height h + 1. */
async function editLevel(ctx: Context, h: number, edits: readonly LevelEdit[]): Promise<{ parentEdits: LevelEdit[]; emitted: NodeRow[] }> {
  const cursor = await LevelCursor.open(ctx.reader, ctx.root, h);
  const emitted: NodeRow[] = [];
  const consumed: NodeRow[] = [];
  let i = 0;
  while (i < edits.length) {
    await cursor.seek(edits[i]!.key);
    const chunker = new LevelChunker(h, ctx.blobs, ctx.stats, (row) => void emitted.push(row));
    for (;;) {
      const parent = cursor.parentRow;
      if (parent) consumed.push(parent);
      const limit = cursor.isLast ? undefined : cursor.lastKey;
      const rows = cursor.rows;
      let j = 0;
      const inChunk = (): boolean => i < edits.length && (limit === undefined || comparePaths(edits[i]!.key, limit) <= 0);
      while (j < rows.length || inChunk()) {
        const order = j >= rows.length ? 1 : !inChunk() ? -1 : comparePaths(keyOf(rows[j]!, h), edits[i]!.key);
        if (order < 0) {
          await chunker.add(rows[j++]!);
          continue;
        }
        const edit = edits[i++]!;
        const old = order === 0 ? rows[j++] : undefined;
        if (h === 0) count(ctx.changes, old as LeafRow | undefined, edit.row as LeafRow | null);
        if (edit.row) await chunker.add(edit.row);
      }
      if (chunker.empty) break;
      if (!(await cursor.next())) {
        await chunker.flush();
        break;
      }
    }
  }
  return { parentEdits: diffRows(consumed, emitted), emitted };
}

function count(changes: EditChanges, old: LeafRow | undefined, next: LeafRow | null): void {
  if (!old) {
    if (next) changes.added++;
  } else if (!next) {
    changes.removed++;
  } else if (old[1] !== next[1] || old[2] !== next[2] || old[3] !== next[3]) {
    changes.modified++;
  }
}

/** Turns "these old chunks were replaced by these new ones" into edits of the level above, dropping chunks that came out unchanged. */
function diffRows(consumed: readonly NodeRow[], emitted: readonly NodeRow[]): LevelEdit[] {
  const byKey = new Map<string, { old?: NodeRow; next?: NodeRow }>();
  for (const row of consumed) byKey.set(row[1], { old: row });
  for (const row of emitted) byKey.set(row[1], { ...byKey.get(row[1]), next: row });
  const out: LevelEdit[] = [];
  for (const [key, { old, next }] of byKey) {
    if (old && next && old[4] === next[4]) continue;
    out.push({ key, row: next ?? null });
  }
  return out.sort((a, b) => comparePaths(a.key, b.key));
}

/** A node with one row is never a root: the tree's root is the lowest level that is a single chunk. */
async function dropSingleRowRoots(reader: ChunkReader, root: string): Promise<string> {
  for (;;) {
    const chunk = await reader.read(root);
    if (isLeaf(chunk) || chunk.n.length !== 1) return root;
    root = chunk.n[0]![4];
  }
}
