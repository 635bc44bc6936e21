import { decodeChunk, entryOf, isLeaf, leafLines, rowOfLine, type LeafRow, type ManifestEntry, type NodeRow } from './manifest-chunk';
import type { ChunkReader } from './manifest-cursor';
import { comparePaths } from '../paths';

/** One difference between two versions, in path order. */
export type DiffEntry =
  | { readonly kind: 'added'; readonly path: string; readonly after: ManifestEntry }
  | { readonly kind: 'removed'; readonly path: string; readonly before: ManifestEntry }
  | { readonly kind: 'modified'; readonly path: string; readonly before: ManifestEntry; readonly after: ManifestEntry };

type Item = { readonly tree: true; readonly row: NodeRow; readonly height: number } | { readonly tree: false; readonly row: LeafRow };

/** The items of one tree in key order, where a whole subtree stays one item until someone needs to look inside. */
class TreeWalk {
  /** Upcoming items, next one last. */
  private readonly stack: Item[] = [];

  private constructor(private readonly reader: ChunkReader) {}

  static async open(reader: ChunkReader, root: string): Promise<TreeWalk> {
    const walk = new TreeWalk(reader);
    await walk.push(root, await reader.height(root));
    return walk;
  }

  peek(): Item | undefined {
    return this.stack[this.stack.length - 1];
  }

  pop(): void {
    this.stack.pop();
  }

  /** The subtrees at the top of the walk, up to the first entry. */
  subtrees(): Subtree[] {
    const out: Subtree[] = [];
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const item = this.stack[i]!;
      if (!item.tree) break;
      out.push({ digest: item.row[4], height: item.height });
    }
    return out;
  }

  /** Replaces the next item (a subtree) by its children. */
  async expand(): Promise<void> {
    const item = this.stack.pop() as Extract<Item, { tree: true }>;
    await this.push(item.row[4], item.height);
  }

  private async push(digest: string, height: number): Promise<void> {
    const chunk = await this.reader.read(digest);
    const items: Item[] = isLeaf(chunk) ? chunk.l.map((row) => ({ tree: false, row })) : chunk.n.map((row) => ({ tree: true, row, height: height - 1 }));
    for (let i = items.length - 1; i >= 0; i--) this.stack.push(items[i]!);
  }
}

const firstKey = (item: Item): string => item.row[0];

interface Subtree {
  readonly digest: string;
  readonly height: number;
}

/**
 * From a remote store, asks for the subtrees each walk has and the other lacks, and goes on down: below the nodes
 * among them, for the children each side's nodes have and the other's lack, a level at a time. Every chunk on the way
 * to a change is then asked for after one round trip a level, not as the walk comes to it: with 1% of 20,000 entries
 * changed, the walk waited for six batches of leaves one after another. Runs beside the walk; a chunk that cannot be
 * read is left for the walk to meet.
 */
function readAhead(reader: ChunkReader, mine: readonly Subtree[], theirs: readonly Subtree[]): void {
  if (reader.readsAhead) void readAheadBelow(reader, mine, theirs).catch(() => undefined);
}

async function readAheadBelow(reader: ChunkReader, mine: readonly Subtree[], theirs: readonly Subtree[]): Promise<void> {
  while (mine.length > 0 || theirs.length > 0) {
    const [a, b] = [new Set(mine.map((t) => t.digest)), new Set(theirs.map((t) => t.digest))];
    const [onlyMine, onlyTheirs] = [mine.filter((t) => !b.has(t.digest)), theirs.filter((t) => !a.has(t.digest))];
    reader.ahead([...onlyMine, ...onlyTheirs].map((t) => t.digest));
    [mine, theirs] = await Promise.all([childrenOf(reader, onlyMine), childrenOf(reader, onlyTheirs)]);
  }
}

/** The children of the nodes among `subtrees` (leaves have none), as each is read. */
async function childrenOf(reader: ChunkReader, subtrees: readonly Subtree[]): Promise<Subtree[]> {
  const nodes = await Promise.all(subtrees.filter((t) => t.height > 0).map(async (t) => ({ height: t.height, chunk: await reader.peek(t.digest) })));
  return nodes.flatMap(({ height, chunk }) => (chunk && !isLeaf(chunk) ? chunk.n.map((row) => ({ digest: row[4], height: height - 1 })) : []));
}

/**
 * Yields what changed from `before` to `after`. Both trees are walked together and a subtree whose digest is the
 * same on both sides at the same point is skipped unread, so the chunks read are those on the way to a change:
 * O(changes x height), not O(entries). Content-defined chunking keeps the two trees cut alike around unchanged runs.
 */
export async function* diffManifests(reader: ChunkReader, before: string, after: string): AsyncGenerator<DiffEntry> {
  if (before === after) return;
  const a = await TreeWalk.open(reader, before);
  const b = await TreeWalk.open(reader, after);
  for (;;) {
    const x = a.peek();
    const y = b.peek();
    if (!x && !y) return;
    if (x && y && x.tree && y.tree) {
      if (x.row[4] === y.row[4]) {
        a.pop();
        b.pop();
      } else if (x.height === 0 && y.height === 0 && x.row[0] === y.row[0] && x.row[1] === y.row[1]) {
        // Two leaves over the same paths (entries changed, none added at their edges): compared row by row at once.
        a.pop();
        b.pop();
        yield* await leafChanges(reader, x.row[4], y.row[4]);
      } else {
        // Open the taller subtree (both when level), so the walks meet again at equal heights.
        if (x.height >= y.height) await a.expand();
        if (y.height >= x.height) await b.expand();
        // Children on one side only are the chunks the walk reads next (from a remote store, all at once).
        if (x.height === y.height) readAhead(reader, a.subtrees(), b.subtrees());
      }
      continue;
    }
    // Most keys met side by side are the same path: told apart by identity before comparing them character by character.
    const order = !x ? 1 : !y ? -1 : firstKey(x) === firstKey(y) ? 0 : comparePaths(firstKey(x), firstKey(y));
    if (x?.tree && order <= 0) {
      await a.expand();
    } else if (y?.tree && order >= 0) {
      await b.expand();
    } else {
      const [was, now] = [order <= 0 ? (x!.row as LeafRow) : undefined, order >= 0 ? (y!.row as LeafRow) : undefined];
      if (was) a.pop();
      if (now) b.pop();
      const change = changeOf(order < 0 ? was : undefined, order > 0 ? now : undefined, order === 0 ? [was!, now!] : undefined);
      if (change) yield change;
    }
  }
}

/**
 * What changed between two leaves over the same paths, in path order, in one pass over both. Lines are compared
 * whole first: an unchanged entry has the very same line (`path\tdigest\tsize`) on both sides, so only the lines that
 * differ are taken apart. Leaves holding references (their URIs lie after the lines) are compared row by row.
 */
async function leafChanges(reader: ChunkReader, before: string, after: string): Promise<DiffEntry[]> {
  const [was, now] = [await reader.bytes(before), await reader.bytes(after)];
  const [x, y] = [plainLines(was), plainLines(now)];
  if (x && y) return mergeChanges(x, y, rowOfLine);
  return mergeChanges((decodeChunk(was) as { l: LeafRow[] }).l, (decodeChunk(now) as { l: LeafRow[] }).l, (row) => row);
}

/**
 * What changed between two path-sorted lists of entries (lines or rows), in one pass over both: items equal as they
 * are (the same line) are passed by unread; the others are made rows by `rowOf` and compared by path.
 */
function mergeChanges<T>(x: readonly T[], y: readonly T[], rowOf: (item: T) => LeafRow): DiffEntry[] {
  const out: DiffEntry[] = [];
  let [i, j] = [0, 0];
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      i++;
      j++;
      continue;
    }
    const [r, s] = [i < x.length ? rowOf(x[i]!) : undefined, j < y.length ? rowOf(y[j]!) : undefined];
    const order = !r ? 1 : !s ? -1 : r[0] === s[0] ? 0 : comparePaths(r[0], s[0]);
    const change = changeOf(order < 0 ? r : undefined, order > 0 ? s : undefined, order === 0 ? [r!, s!] : undefined);
    if (change) out.push(change);
    if (order <= 0) i++;
    if (order >= 0) j++;
  }
  return out;
}

/** The change a row removed, a row added, or a pair of rows of one path makes (none when the pair is the same entry). */
function changeOf(removed: LeafRow | undefined, added: LeafRow | undefined, pair: readonly [LeafRow, LeafRow] | undefined): DiffEntry | undefined {
  if (removed) return { kind: 'removed', path: removed[0], before: entryOf(removed) };
  if (added) return { kind: 'added', path: added[0], after: entryOf(added) };
  const [r, s] = pair!;
  // Rows are [path, digest, size, ref?]: an entry is the same when all of them are.
  return r[1] !== s[1] || r[2] !== s[2] || r[3] !== s[3] ? { kind: 'modified', path: r[0], before: entryOf(r), after: entryOf(s) } : undefined;
}

/** A leaf's canonical lines, when it is a leaf of lines without references; else undefined. */
function plainLines(bytes: Buffer): string[] | undefined {
  const lines = leafLines(bytes);
  if (!lines || bytes.indexOf(0) >= 0) return undefined;
  const all = lines.toString('utf8').split('\n');
  all.pop();
  return all;
}

export interface DiffSummary {
  added: number;
  removed: number;
  modified: number;
  /** Bytes of entries added, removed, and the size change of modified ones. */
  addedBytes: number;
  removedBytes: number;
  modifiedBytesDelta: number;
}

export function emptySummary(): DiffSummary {
  return { added: 0, removed: 0, modified: 0, addedBytes: 0, removedBytes: 0, modifiedBytesDelta: 0 };
}

/** Adds one difference to a summary. */
export function tally(s: DiffSummary, d: DiffEntry): void {
  if (d.kind === 'added') {
    s.added++;
    s.addedBytes += d.after.size;
  } else if (d.kind === 'removed') {
    s.removed++;
    s.removedBytes += d.before.size;
  } else {
    s.modified++;
    s.modifiedBytesDelta += d.after.size - d.before.size;
  }
}

export async function summarizeDiff(diff: AsyncIterable<DiffEntry>): Promise<DiffSummary> {
  const s = emptySummary();
  for await (const d of diff) tally(s, d);
  return s;
}
