import type { BlobStore } from '../blobs/blob-store';
import { decodeChunk, entryOf, isLeaf, readChunk, type Chunk, type LeafRow, type ManifestEntry } from './manifest-chunk';
import { LevelCursor, type ChunkReader } from './manifest-cursor';
import { comparePaths, foldersOf } from '../paths';
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

/** Finds the entries at `paths` (sorted), reading only the chunks whose path range can hold one of them. */
export async function lookupPaths(blobs: BlobStore, root: string, paths: readonly string[]): Promise<Map<string, ManifestEntry>> {
  const found = new Map<string, ManifestEntry>();
  const visit = async (digest: string, wanted: readonly string[]): Promise<void> => {
    if (wanted.length === 0) return;
    const chunk = await readChunk(blobs, digest);
    if (isLeaf(chunk)) {
      const set = new Set(wanted);
      for (const row of chunk.l) if (set.has(row[0])) found.set(row[0], entryOf(row));
      return;
    }
    // `wanted` and the rows are both sorted: one pass hands each row the paths in its range.
    let i = 0;
    for (const [first, last, , , child] of chunk.n) {
      while (i < wanted.length && comparePaths(wanted[i]!, first) < 0) i++;
      let j = i;
      while (j < wanted.length && comparePaths(wanted[j]!, last) <= 0) j++;
      await visit(child, wanted.slice(i, j));
      i = j;
    }
  };
  await visit(root, paths);
  return found;
}

/** The first path of the tree inside the folder `folder` (under `folder/`), reading only the chunks that can hold one. */
export async function firstUnder(reader: ChunkReader, root: string, folder: string): Promise<string | undefined> {
  const from = `${folder}/`;
  const end = rangeEnd(folder);
  const visit = async (digest: string): Promise<string | undefined> => {
    const chunk = await reader.read(digest);
    if (isLeaf(chunk)) return chunk.l.find((row) => row[0].startsWith(from))?.[0];
    for (const row of chunk.n) {
      if (comparePaths(row[1], from) < 0 || comparePaths(row[0], end) >= 0) continue;
      const hit = await visit(row[4]);
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
  return visit(root);
}

/**
 * Whether a tree holds a file and a folder of the same name involving one of `paths` (entries it holds): a file at
 * one of their folders, or entries inside one of them. Reads O(paths x height) chunks, not the whole tree.
 */
export async function findClash(reader: ChunkReader, root: string, paths: readonly string[]): Promise<{ file: string; inner: string } | undefined> {
  const folders = [...new Set(paths.flatMap(foldersOf))].sort(comparePaths);
  const files = await lookupPaths(reader.blobs, root, folders);
  for (const inner of paths) {
    const file = foldersOf(inner).find((f) => files.has(f));
    if (file !== undefined) return { file, inner };
  }
  for (const file of paths) {
    const inner = await firstUnder(reader, root, file);
    if (inner !== undefined) return { file, inner };
  }
  return undefined;
}
