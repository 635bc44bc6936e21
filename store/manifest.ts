import type { BlobStore } from './blob-store';
import { VersionDigest } from './digest';
import { comparePaths } from './paths';

/** One file of a version: where it sits, what its bytes hash to, how large it is, and where a reference points. */
export interface ManifestEntry {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  /** For references: the URI the bytes live at; absent for files stored in the blob store. */
  readonly ref?: string;
}

/** What a written manifest is known by: the root chunk plus the canonical version digest and totals. */
export interface ManifestRef {
  readonly root: string;
  readonly digest: string;
  readonly count: number;
  readonly size: number;
}

/**
 * Manifests are trees of content-addressed, path-sorted chunks (a prolly tree). A chunk ends after an entry
 * whose path hashes to a boundary value, so boundaries depend on content, not on position: an edit rewrites its
 * own leaf and the nodes above it, and every other chunk keeps its digest. Leaf: `{"l":[[path,digest,size,ref?],...]}`;
 * node: `{"n":[[firstPath,lastPath,count,size,chunkDigest],...]}`.
 */
export type LeafRow = [string, string, number] | [string, string, number, string];
export type NodeRow = [first: string, last: string, count: number, size: number, chunk: string];
type Chunk = { l: LeafRow[] } | { n: NodeRow[] };

/** Average entries per leaf is 2^LEAF_BITS; per node 2^NODE_BITS. Caps bound the worst case. */
const LEAF_BITS = 6;
const NODE_BITS = 5;
const MAX_ROWS = 1024;

/** FNV-1a over a path with a level salt: cheap, stable across runs and languages. */
function pathHash(path: string, level: number): number {
  let h = 0x811c9dc5 ^ level;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function isBoundary(path: string, level: number): boolean {
  const bits = level === 0 ? LEAF_BITS : NODE_BITS;
  return (pathHash(path, level) & ((1 << bits) - 1)) === 0;
}

/**
 * Builds a manifest tree from entries given in path order, writing each chunk as it fills: memory holds one
 * open chunk per level, never the whole list. Rejects out-of-order or duplicate paths.
 */
export class ManifestWriter {
  private readonly levels: (LeafRow | NodeRow)[][] = [[]];
  private readonly versionDigest = new VersionDigest();
  private last: string | undefined;
  private count = 0;
  private size = 0;
  /** Bytes of chunk blobs this writer produced (whether or not the store already held them). */
  chunkBytes = 0;
  chunksWritten = 0;

  constructor(private readonly blobs: BlobStore) {}

  async add(entry: ManifestEntry): Promise<void> {
    if (this.last !== undefined && comparePaths(this.last, entry.path) >= 0) {
      throw new Error(`manifest entries out of order: ${JSON.stringify(entry.path)} after ${JSON.stringify(this.last)}`);
    }
    this.last = entry.path;
    this.count++;
    this.size += entry.size;
    this.versionDigest.add(entry.path, entry.digest, entry.size);
    const row: LeafRow = entry.ref === undefined ? [entry.path, entry.digest, entry.size] : [entry.path, entry.digest, entry.size, entry.ref];
    await this.push(0, row);
  }

  private async push(level: number, row: LeafRow | NodeRow): Promise<void> {
    const rows = (this.levels[level] ??= []);
    rows.push(row);
    const lastPath = level === 0 ? (row as LeafRow)[0] : (row as NodeRow)[1];
    if (isBoundary(lastPath, level) || rows.length >= MAX_ROWS) await this.flush(level);
  }

  private async flush(level: number): Promise<void> {
    const rows = this.levels[level];
    if (!rows || rows.length === 0) return;
    this.levels[level] = [];
    const chunk: Chunk = level === 0 ? { l: rows as LeafRow[] } : { n: rows as NodeRow[] };
    const bytes = Buffer.from(JSON.stringify(chunk));
    this.chunkBytes += bytes.length;
    this.chunksWritten++;
    const digest = await this.blobs.putBytes(bytes);
    const first = level === 0 ? (rows[0] as LeafRow)[0] : (rows[0] as NodeRow)[0];
    const lastRow = rows[rows.length - 1]!;
    const last = level === 0 ? (lastRow as LeafRow)[0] : (lastRow as NodeRow)[1];
    let count = 0;
    let size = 0;
    for (const r of rows) {
      count += level === 0 ? 1 : (r as NodeRow)[2];
      size += level === 0 ? (r as LeafRow)[2] : (r as NodeRow)[3];
    }
    await this.push(level + 1, [first, last, count, size, digest]);
  }

  /** Flushes every level and returns the root. An empty manifest is one empty leaf. */
  async finish(): Promise<ManifestRef> {
    if (this.count === 0) {
      const root = await this.blobs.putBytes(Buffer.from(JSON.stringify({ l: [] })));
      return { root, digest: this.versionDigest.digest(), count: 0, size: 0 };
    }
    for (let level = 0; ; level++) {
      const rows = this.levels[level] ?? [];
      const above = this.levels.slice(level + 1).some((r) => r.length > 0);
      if (!above && level > 0 && rows.length === 1) {
        return { root: (rows[0] as NodeRow)[4], digest: this.versionDigest.digest(), count: this.count, size: this.size };
      }
      await this.flush(level);
    }
  }
}

/** Reads one chunk of a manifest tree. */
export async function readChunk(blobs: BlobStore, digest: string): Promise<Chunk> {
  return JSON.parse((await blobs.getBytes(digest)).toString('utf8')) as Chunk;
}

export function isLeaf(chunk: Chunk): chunk is { l: LeafRow[] } {
  return 'l' in chunk;
}

export function entryOf(row: LeafRow): ManifestEntry {
  return row.length === 4 ? { path: row[0], digest: row[1], size: row[2], ref: row[3] } : { path: row[0], digest: row[1], size: row[2] };
}

/** Streams a manifest's entries in path order, one chunk in memory per tree level. */
export async function* readManifest(blobs: BlobStore, root: string): AsyncGenerator<ManifestEntry> {
  const chunk = await readChunk(blobs, root);
  if (isLeaf(chunk)) {
    for (const row of chunk.l) yield entryOf(row);
    return;
  }
  for (const row of chunk.n) yield* readManifest(blobs, row[4]);
}

/** Writes a manifest from entries in any order (sorted here); for callers that already hold the list. */
export async function writeManifest(blobs: BlobStore, entries: Iterable<ManifestEntry>): Promise<ManifestRef> {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const writer = new ManifestWriter(blobs);
  for (const e of sorted) await writer.add(e);
  return writer.finish();
}
