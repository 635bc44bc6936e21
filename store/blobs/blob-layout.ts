import fs from 'node:fs';
import path from 'node:path';
import { parseDigest, type DigestAlgorithm } from './digest';

/**
 * Every algorithm a store may hold blobs of, each in its own folder (`<root>/sha256/`, `<root>/blake3/`); a local
 * store also keeps whole, hard-linked large files under their `blake3c` digest (`<root>/blake3c/`).
 */
export const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'blake3', 'blake3c'];

/**
 * The kind of temp name (see store/owned-temps.ts) of a chunk or a small file being written into `<root>/tmp`: never
 * resumed from (a resumed log writes it again), so those of dead processes are removed when a store opens.
 */
export const CHUNK_TEMP = 'chunk-';

/** Where a blob sits under a store or cache root: `<root>/<algorithm>/ab/cdef...`. */
export function blobPath(root: string, digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return path.join(root, algorithm, hex.slice(0, 2), hex.slice(2));
}

/** The digest a blob file under `<root>/<algorithm>/<shard>/<rest>` stands for (SHA-256 ones stay bare hex). */
export function digestAt(algorithm: DigestAlgorithm, shard: string, rest: string): string {
  return algorithm === 'sha256' ? shard + rest : `${algorithm}:${shard}${rest}`;
}

/** Creates the 256 shard folders of each algorithm once, so writes never need a mkdir. */
export function makeShardFolders(root: string): void {
  for (const algorithm of ALGORITHMS) {
    const folder = path.join(root, algorithm);
    if (fs.existsSync(path.join(folder, 'ff'))) continue;
    for (let i = 0; i < 256; i++) fs.mkdirSync(path.join(folder, i.toString(16).padStart(2, '0')), { recursive: true });
  }
}

/** Every blob under a root, as digests: the shard folders of each algorithm, in order. */
export async function* listBlobs(root: string): AsyncIterable<string> {
  for (const algorithm of ALGORITHMS) {
    const folder = path.join(root, algorithm);
    const shards = await fs.promises.readdir(folder).catch(() => [] as string[]);
    for (const shard of shards.sort()) {
      for (const rest of await fs.promises.readdir(path.join(folder, shard)).catch(() => [] as string[])) yield digestAt(algorithm, shard, rest);
    }
  }
}
