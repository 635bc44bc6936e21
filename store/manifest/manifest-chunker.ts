import type { BlobStore } from '../blobs/blob-store';
import { encodeChunk, keyOf, type LeafRow, type NodeRow } from './manifest-chunk';

/**
 * Chunk sizes: no cut before MIN rows; after that the chance of a cut grows linearly with the rows past MIN
 * (p = (rows - MIN) / SPREAD), so sizes gather around MIN + sqrt(pi * SPREAD / 2) instead of spreading
 * geometrically. Leaves hold ~128 entries, nodes ~32 rows. Fewer, evener chunks mean fewer reads to stream a version
 * and smaller rewrites (an edit lands in a big chunk more often than in a small one). MAX_ROWS bounds the worst case.
 */
const LEAF = { min: 64, spread: 2608 };
const NODE = { min: 16, spread: 163 };
const MAX_ROWS = 1024;

/**
 * FNV-1a over a path's UTF-16 units with a level salt, then the murmur3 finalizer (FNV's low bits alone mix
 * poorly for paths that differ only in their last characters): cheap, stable across runs and languages.
 */
function pathHash(path: string, level: number): number {
  let h = 0x811c9dc5 ^ level;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Whether a chunk of `rows` rows ends after the row keyed `key`. The decision depends only on the key and on the
 * rows since the chunk began, so cuts follow content, not position: an edit re-cuts its own chunk (and, when it
 * moves a cut, the next), and a chunker started at any cut cuts exactly as one started at the beginning.
 */
export function isBoundary(key: string, level: number, rows: number): boolean {
  const { min, spread } = level === 0 ? LEAF : NODE;
  if (rows >= MAX_ROWS) return true;
  if (rows <= min) return false;
  return pathHash(key, level) < ((rows - min) / spread) * 0x100000000;
}

/** One level of a ManifestWriter in the middle of a tree: its open chunk and how many rows it was fed. */
export interface LevelState {
  readonly rows: readonly (LeafRow | NodeRow)[];
  readonly added: number;
  readonly lastAdded?: LeafRow | NodeRow;
}

/** What chunk writing cost: every chunk emitted counts, whether or not the store already held it. */
export interface ChunkStats {
  chunksWritten: number;
  chunkBytes: number;
}

export function newChunkStats(): ChunkStats {
  return { chunksWritten: 0, chunkBytes: 0 };
}

/**
 * Cuts the rows of one tree level into chunks: feed rows in key order; each chunk is stored as it closes and its
 * summary row (first, last, count, size, digest) is handed to `emit` for the level above. Its only state is the
 * open chunk, so a chunker started at any chunk boundary cuts exactly as one that started at the beginning.
 */
export class LevelChunker {
  private rows: (LeafRow | NodeRow)[] = [];
  /** Rows fed so far, and the latest one. */
  added = 0;
  lastAdded: LeafRow | NodeRow | undefined;

  constructor(
    readonly level: number,
    private readonly blobs: BlobStore,
    private readonly stats: ChunkStats,
    private readonly emit: (row: NodeRow) => Promise<void> | void,
  ) {}

  /** What a resumed writer needs to carry on exactly where this chunker stands (its open chunk is at most MAX_ROWS rows). */
  state(): LevelState {
    return { rows: this.rows, added: this.added, ...(this.lastAdded ? { lastAdded: this.lastAdded } : {}) };
  }

  restore(state: LevelState): void {
    this.rows = [...state.rows];
    this.added = state.added;
    this.lastAdded = state.lastAdded;
  }

  /** True when no chunk is open: the rows fed so far ended exactly at a chunk boundary. */
  get empty(): boolean {
    return this.rows.length === 0;
  }

  async add(row: LeafRow | NodeRow): Promise<void> {
    this.rows.push(row);
    this.added++;
    this.lastAdded = row;
    if (isBoundary(keyOf(row, this.level), this.level, this.rows.length)) await this.flush();
  }

  /** Closes the open chunk, if any (at the end of a level, where the last chunk ends whatever its key). */
  async flush(): Promise<void> {
    const rows = this.rows;
    if (rows.length === 0) return;
    this.rows = [];
    const bytes = encodeChunk(this.level === 0 ? { l: rows as LeafRow[] } : { h: this.level, n: rows as NodeRow[] });
    this.stats.chunkBytes += bytes.length;
    this.stats.chunksWritten++;
    const digest = await this.blobs.putBytes(bytes);
    let count = 0;
    let size = 0;
    for (const r of rows) {
      count += this.level === 0 ? 1 : (r as NodeRow)[2];
      size += this.level === 0 ? (r as LeafRow)[2] : (r as NodeRow)[3];
    }
    await this.emit([this.level === 0 ? rows[0]![0] : (rows[0] as NodeRow)[0], keyOf(rows[rows.length - 1]!, this.level), count, size, digest]);
  }
}

/**
 * Builds the levels above a complete sequence of chunk rows until one chunk remains, and returns its digest
 * (the root). `height` is the height of the chunks the rows point to.
 */
export async function buildAbove(blobs: BlobStore, stats: ChunkStats, rows: NodeRow[], height: number): Promise<string> {
  let level = height + 1;
  let current = rows;
  while (current.length > 1) {
    const next: NodeRow[] = [];
    const chunker = new LevelChunker(level, blobs, stats, (row) => void next.push(row));
    for (const row of current) await chunker.add(row);
    await chunker.flush();
    current = next;
    level++;
  }
  return current[0]![4];
}
