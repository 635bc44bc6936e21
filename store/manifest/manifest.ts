import type { BlobStore } from '../blobs/blob-store';
import { VersionDigest } from '../blobs/digest';
import { ChunkPrefetch } from './chunk-prefetch';
import { encodeChunk, entriesOrNodes, rowOf, type ManifestEntry, type NodeRow } from './manifest-chunk';
import { LevelChunker, newChunkStats, type ChunkStats, type LevelState } from './manifest-chunker';
import { versionDigestOf } from './manifest-digest';
import { comparePaths } from '../paths';

export { entryOf, isLeaf, readChunk } from './manifest-chunk';
export { isBoundary } from './manifest-chunker';
export { versionDigestOf };
export type { Chunk, LeafRow, ManifestEntry, NodeRow } from './manifest-chunk';

/** A manifest tree by its root chunk and totals, before (or without) its version digest. */
export interface ManifestTree {
  readonly root: string;
  readonly count: number;
  readonly size: number;
}

/** What a written manifest is known by: the root chunk plus the canonical version digest and totals. */
export interface ManifestRef extends ManifestTree {
  readonly digest: string;
}

/**
 * Manifests are trees of content-addressed, path-sorted chunks (a prolly tree, see manifest-chunker.ts): an edit
 * rewrites its own leaf and the nodes above it, and every other chunk keeps its digest. The tree is canonical: the
 * same entries give the same root however they were written (from scratch here, or by editing, manifest-edit.ts).
 *
 * ManifestWriter builds one from entries given in path order, writing each chunk as it fills: memory holds one
 * open chunk per level, never the whole list. Rejects out-of-order or duplicate paths.
 */
export class ManifestWriter {
  private readonly levels: LevelChunker[] = [];
  /** Undefined once the writer was restored from a state: the digest is then streamed from the finished tree. */
  private versionDigest: VersionDigest | undefined = new VersionDigest();
  private readonly stats: ChunkStats = newChunkStats();
  private last: string | undefined;
  private count = 0;
  private size = 0;

  constructor(private readonly blobs: BlobStore) {
    this.level(0);
  }

  /** Bytes of chunk blobs this writer produced (whether or not the store already held them). */
  get chunkBytes(): number {
    return this.stats.chunkBytes;
  }

  get chunksWritten(): number {
    return this.stats.chunksWritten;
  }

  async add(entry: ManifestEntry): Promise<void> {
    // The canonical lines are `path\tdigest\tsize\n`: a path holding a tab, newline or NUL would make them ambiguous.
    if (/[\t\n\0]/.test(entry.path)) throw new Error(`manifest path ${JSON.stringify(entry.path)} holds a tab, newline or NUL`);
    if (this.last !== undefined && comparePaths(this.last, entry.path) >= 0) {
      throw new Error(`manifest entries out of order: ${JSON.stringify(entry.path)} after ${JSON.stringify(this.last)}`);
    }
    this.last = entry.path;
    this.count++;
    this.size += entry.size;
    this.versionDigest?.add(entry.path, entry.digest, entry.size);
    await this.levels[0]!.add(rowOf(entry));
  }

  private level(n: number): LevelChunker {
    return (this.levels[n] ??= new LevelChunker(n, this.blobs, this.stats, (row) => this.level(n + 1).add(row)));
  }

  /** The path last added (a resumed staging carries on after it). */
  get lastPath(): string | undefined {
    return this.last;
  }

  /**
   * Everything needed to carry on writing later, in another process: each level's open chunk (all closed chunks are
   * in the store already) and the totals. JSON, at most a few hundred KiB; kept as a blob, referenced by digest.
   */
  state(): WriterState {
    return { levels: this.levels.map((l) => l.state()), count: this.count, size: this.size, ...(this.last === undefined ? {} : { last: this.last }) };
  }

  /** A writer that carries on from `state`; the version digest of its tree is read back from the tree at the finish. */
  static restore(blobs: BlobStore, state: WriterState): ManifestWriter {
    const writer = new ManifestWriter(blobs);
    writer.versionDigest = undefined;
    state.levels.forEach((level, n) => writer.level(n).restore(level));
    writer.count = state.count;
    writer.size = state.size;
    writer.last = state.last;
    return writer;
  }

  /** Closes every level and returns the root: the first level that holds a single chunk. An empty manifest is one empty leaf. */
  async finish(): Promise<ManifestRef> {
    const tree = await this.finishTree();
    return { ...tree, digest: this.versionDigest ? this.versionDigest.digest() : await versionDigestOf(this.blobs, tree.root) };
  }

  private async finishTree(): Promise<ManifestTree> {
    if (this.count === 0) return { root: await this.blobs.putBytes(encodeChunk({ l: [] })), count: 0, size: 0 };
    for (let n = 0; ; n++) {
      await this.levels[n]!.flush();
      // Every chunk of level n has now been handed up; a level of one chunk is the root.
      const parent = this.level(n + 1);
      if (parent.added === 1) return { root: (parent.lastAdded as NodeRow)[4], count: this.count, size: this.size };
    }
  }
}

/** A ManifestWriter's state between two processes (see ManifestWriter.state). */
export interface WriterState {
  readonly levels: readonly LevelState[];
  readonly count: number;
  readonly size: number;
  readonly last?: string;
}

/** Streams a manifest's entries in path order, one chunk in memory per tree level. */
export async function* readManifest(blobs: BlobStore, root: string): AsyncGenerator<ManifestEntry> {
  for await (const leaf of readLeaves(blobs, root)) yield* leaf;
}

/**
 * Streams a manifest's entries a leaf at a time, in path order, one chunk in memory per tree level (from a remote
 * store, also the children of the node being walked, read ahead: see ChunkPrefetch): for a caller
 * that goes through every entry, a step per leaf instead of one per entry and tree level (a download of 20,000 files
 * read its manifest in 23 ms instead of 40 ms, in a fresh process).
 */
export async function* readLeaves(blobs: BlobStore, root: string): AsyncGenerator<ManifestEntry[]> {
  /** Node rows still to read, the next one last. */
  const stack: string[] = [root];
  const prefetch = new ChunkPrefetch(blobs);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const chunk = entriesOrNodes(await prefetch.get(next));
    if ('entries' in chunk) {
      yield chunk.entries;
      continue;
    }
    // From a remote store, a node's children are read while the walk goes through them.
    prefetch.ahead(chunk.nodes.map((row) => row[4]));
    for (let i = chunk.nodes.length - 1; i >= 0; i--) stack.push(chunk.nodes[i]![4]);
  }
}

/** Writes a manifest from entries in any order (sorted here); for callers that already hold the list. */
export async function writeManifest(blobs: BlobStore, entries: Iterable<ManifestEntry>): Promise<ManifestRef> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const writer = new ManifestWriter(blobs);
  for (const e of sorted) await writer.add(e);
  return writer.finish();
}
