import type { BlobStore } from '../blobs/blob-store';
import { decodeChunk, entryOf, isLeaf, type Chunk, type LeafRow, type ManifestEntry } from './manifest-chunk';
import { LevelCursor, type ChunkReader } from './manifest-cursor';
import { comparePaths } from '../paths';
import { syncBlobReader } from '../blobs/sync-blob-read';

/** True when `path` is `target` or lies under the folder `target`. */
export function isUnder(path: string, target: string): boolean {
  return path === target || path.startsWith(`${target}/`);
}

/**
 * Paths equal to `target` or under `target/` all sort in [target, target + '0'): '/' is the code point just
 * before '0', so every `target/...` sorts before `target0`.
 */
function rangeEnd(target: string): string {
  return `${target}0`;
}

/**
 * A synchronous chunk reader for stores that can offer one (the local folder), so a draft can refuse a bad
 * `remove()` the moment it is called; undefined for remote stores, whose drafts check at save time instead.
 */
export function syncChunkReader(blobs: BlobStore): ((digest: string) => Chunk) | undefined {
  const read = syncBlobReader(blobs);
  if (!read) return undefined;
  const cache = new Map<string, Chunk>();
  return (digest) => {
    let chunk = cache.get(digest);
    if (!chunk) cache.set(digest, (chunk = decodeChunk(read(digest))));
    return chunk;
  };
}

/**
 * Whether the tree holds `target` or anything under it that `gone` does not rule out, reading only the chunks
 * whose key range meets [target, target/...]. Stops at the first hit.
 */
export function hasPathOrFolder(read: (digest: string) => Chunk, root: string, target: string, gone: (path: string) => boolean): boolean {
  const end = rangeEnd(target);
  const visit = (digest: string): boolean => {
    const chunk = read(digest);
    if (isLeaf(chunk)) return chunk.l.some((row) => isUnder(row[0], target) && !gone(row[0]));
    return chunk.n.some((row) => comparePaths(row[1], target) >= 0 && comparePaths(row[0], end) < 0 && visit(row[4]));
  };
  return visit(root);
}

/** Every entry equal to `target` or under the folder `target`, in path order, reading only the leaves that hold them. */
export async function entriesUnder(reader: ChunkReader, root: string, target: string): Promise<ManifestEntry[]> {
  const cursor = await LevelCursor.open(reader, root, 0);
  await cursor.seek(target);
  const end = rangeEnd(target);
  const out: ManifestEntry[] = [];
  for (;;) {
    for (const row of cursor.rows as LeafRow[]) if (isUnder(row[0], target)) out.push(entryOf(row));
    const last = cursor.lastKey;
    if (last === undefined || comparePaths(last, end) >= 0 || !(await cursor.next())) return out;
  }
}
