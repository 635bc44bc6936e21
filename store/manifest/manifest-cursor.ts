import type { BlobStore } from '../blobs/blob-store';
import { ChunkPrefetch } from './chunk-prefetch';
import { decodeChunk, isLeaf, keyOf, type Chunk, type LeafRow, type NodeRow } from './manifest-chunk';
import { comparePaths } from '../paths';

/**
 * Reads chunks once each while they stay in its bounded cache (an edit or a diff visits the same few nodes
 * repeatedly) and records the reads, so tests and benchmarks can prove how little of a tree was touched.
 */
export class ChunkReader {
  private readonly cache = new Map<string, Chunk>();
  /** Digests fetched from the store, in order. */
  readonly fetched: string[] = [];

  private readonly prefetch: ChunkPrefetch;

  /** `capacity`: chunks kept, least recently used dropped first, so a walk over a huge tree holds a bounded set. */
  constructor(readonly blobs: BlobStore, private readonly capacity = 4096) {
    this.prefetch = new ChunkPrefetch(blobs);
  }

  /** From a remote store, starts reading these chunks now (those not held): the walk reads them next. */
  ahead(digests: readonly string[]): void {
    this.prefetch.ahead(digests.filter((d) => !this.cache.has(d)));
  }

  /** Whether `ahead` reads anything (a remote store): a walk need not look further ahead otherwise. */
  get readsAhead(): boolean {
    return (this.blobs.prefetch ?? 0) > 0;
  }

  /**
   * A chunk held, or being read ahead, without taking it: for a look below a subtree the walk has not come to yet
   * (the walk still takes it when it does). Undefined when it is neither.
   */
  peek(digest: string): Promise<Chunk> | undefined {
    const held = this.cache.get(digest);
    if (held) return Promise.resolve(held);
    return this.prefetch.peek(digest)?.then(decodeChunk);
  }

  /** Chunks held right now (never more than the capacity). */
  get cachedChunks(): number {
    return this.cache.size;
  }

  async read(digest: string): Promise<Chunk> {
    let chunk = this.cache.get(digest);
    if (chunk) {
      // Re-inserted so the Map's order is least recently used first.
      this.cache.delete(digest);
    } else {
      chunk = decodeChunk(await this.prefetch.get(digest));
      this.fetched.push(digest);
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(digest, chunk);
    return chunk;
  }

  /** A chunk's bytes, read from the store (and counted in `fetched`) but not kept: for a caller that compares two leaves' lines. */
  async bytes(digest: string): Promise<Buffer> {
    this.fetched.push(digest);
    return this.prefetch.get(digest);
  }

  /** The height of a chunk: 0 for a leaf; nodes record theirs (older nodes are measured by descending). */
  async height(digest: string): Promise<number> {
    const chunk = await this.read(digest);
    if (isLeaf(chunk)) return 0;
    return chunk.h ?? 1 + (await this.height(chunk.n[0]![4]));
  }
}

export function rowsOf(chunk: Chunk): (LeafRow | NodeRow)[] {
  return isLeaf(chunk) ? chunk.l : chunk.n;
}

/**
 * Walks the chunks of one height of a tree in key order. It holds the path of nodes from the root down to the
 * current chunk, so moving to the next chunk or seeking to a key reads only the nodes on the way.
 */
export class LevelCursor {
  /** Frames from the root down to the parent of the current chunk (empty when the current chunk is the root). */
  private frames: { rows: NodeRow[]; index: number }[] = [];
  private digest = '';
  private chunk: Chunk = { l: [] };

  private constructor(private readonly reader: ChunkReader, private readonly root: string, readonly rootHeight: number, readonly height: number) {}

  static async open(reader: ChunkReader, root: string, height: number): Promise<LevelCursor> {
    return new LevelCursor(reader, root, await reader.height(root), height);
  }

  /** Moves to the first chunk whose last key is at or after `key` (the chunk `key` is in or would go in), else the last chunk. */
  async seek(key: string): Promise<void> {
    this.frames = [];
    let digest = this.root;
    for (let h = this.rootHeight; h > this.height; h--) {
      const node = (await this.reader.read(digest)) as { n: NodeRow[] };
      let index = node.n.findIndex((row) => comparePaths(row[1], key) >= 0);
      if (index < 0) index = node.n.length - 1;
      this.frames.push({ rows: node.n, index });
      digest = node.n[index]![4];
    }
    await this.load(digest);
  }

  /** Moves to the next chunk of this height; false at the end. */
  async next(): Promise<boolean> {
    let f = this.frames.length - 1;
    while (f >= 0 && this.frames[f]!.index + 1 >= this.frames[f]!.rows.length) f--;
    if (f < 0) return false;
    this.frames[f]!.index++;
    this.frames.length = f + 1;
    let digest = this.frames[f]!.rows[this.frames[f]!.index]![4];
    for (let h = this.rootHeight - f - 1; h > this.height; h--) {
      const node = (await this.reader.read(digest)) as { n: NodeRow[] };
      this.frames.push({ rows: node.n, index: 0 });
      digest = node.n[0]![4];
    }
    await this.load(digest);
    return true;
  }

  /** True when the current chunk is the last of its height. */
  get isLast(): boolean {
    return this.frames.every((f) => f.index === f.rows.length - 1);
  }

  get rows(): (LeafRow | NodeRow)[] {
    return rowsOf(this.chunk);
  }

  /** The row the parent holds for the current chunk (undefined for the root). */
  get parentRow(): NodeRow | undefined {
    const f = this.frames[this.frames.length - 1];
    return f?.rows[f.index];
  }

  get currentDigest(): string {
    return this.digest;
  }

  /** Key of the current chunk's last row (undefined for an empty root leaf). */
  get lastKey(): string | undefined {
    const rows = this.rows;
    return rows.length > 0 ? keyOf(rows[rows.length - 1]!, this.height) : undefined;
  }

  private async load(digest: string): Promise<void> {
    this.digest = digest;
    this.chunk = await this.reader.read(digest);
  }
}
