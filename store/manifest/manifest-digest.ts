import type { BlobStore } from '../blobs/blob-store';
import { decodeChunk, isLeaf, leafLines, type NodeRow } from './manifest-chunk';
import { syncBlobReader } from '../blobs/sync-blob-read';
import { VersionDigest } from '../blobs/digest';

/** Leaf fetches kept in flight on a remote store while earlier leaves are hashed. */
const WINDOW = 64;

/**
 * The canonical version digest of a stored tree, streamed: leaf bytes are the canonical lines, so they go straight
 * into the hash without being parsed. This reads every leaf (the digest covers every entry), so it is the one
 * O(entries) step of an incremental save; it only reads. On a local store reads are synchronous (much faster for
 * thousands of small chunks); on a remote one the nodes are read level by level, then the leaves with a window of
 * fetches in flight, hashed in order.
 */
export async function versionDigestOf(blobs: BlobStore, root: string, like?: string): Promise<string> {
  const hash = new VersionDigest(like);
  const readSync = syncBlobReader(blobs);
  if (readSync) {
    const visit = async (bytes: Buffer): Promise<void> => {
      const rows = take(hash, bytes);
      if (!rows) return;
      for (const row of rows) await visit(readSync(row[4]));
      // Reads are synchronous here: let timers and heartbeats of other work on this worker through between nodes.
      await new Promise((resolve) => setImmediate(resolve));
    };
    await visit(readSync(root));
    return hash.digest();
  }
  let level = [root];
  for (;;) {
    const first = await blobs.getBytes(level[0]!);
    if (leafLines(first) || isLeaf(decodeChunk(first))) break;
    const nodes = await Promise.all(level.map((digest) => blobs.getBytes(digest)));
    level = nodes.flatMap((bytes) => (decodeChunk(bytes) as { n: NodeRow[] }).n.map((row) => row[4]));
  }
  const inFlight: Promise<Buffer>[] = [];
  let next = 0;
  const fetchNext = (): void => {
    const fetching = blobs.getBytes(level[next++]!);
    // Marked handled here; the await below still sees the failure, in order.
    fetching.catch(() => undefined);
    inFlight.push(fetching);
  };
  while (next < level.length && inFlight.length < WINDOW) fetchNext();
  while (inFlight.length > 0) {
    const bytes = await inFlight.shift()!;
    if (next < level.length) fetchNext();
    take(hash, bytes);
  }
  return hash.digest();
}

/** Hashes a leaf's lines and returns undefined, or returns a node's rows. */
function take(hash: VersionDigest, bytes: Buffer): NodeRow[] | undefined {
  const lines = leafLines(bytes);
  if (lines) {
    hash.addLines(lines);
    return undefined;
  }
  const chunk = decodeChunk(bytes);
  if (!isLeaf(chunk)) return chunk.n;
  for (const [path, digest, size] of chunk.l) hash.add(path, digest, size);
  return undefined;
}
