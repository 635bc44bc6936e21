import fs from 'node:fs';
import type { BlobStore } from '../blobs/blob-store';
import { chunksOf, isChunked } from '../blobs/chunked-files';
import { ingestPool } from '../blobs/hash-copy-pool';
import { LocalBlobStore } from '../blobs/local-blob-store';
import type { ManifestEntry } from '../manifest/manifest';
import type { FileStamp } from './stat-cache';
import type { TargetFolder } from './target-folder';
import { IntegrityError } from '../../errors';

/** Chunk jobs queued per thread, so a thread never waits for the next one. */
const QUEUED_PER_THREAD = 2;

/**
 * A large file of the local store, stored as chunks, written to a temp file beside its place with its chunks spread
 * over the ingest threads: each reads a chunk, checks it against the digest the (checked) chunk list gives, and
 * writes it at its offset. Renamed into place only when every chunk matched, so the whole file's bytes are
 * verified (its `blake3c` digest is the hash of that list). Undefined when this road does not apply (another
 * store, a file stored whole) or a chunk is missing or damaged: nothing is left behind, and the caller takes the
 * usual road, which reads the file in order and reports what is wrong.
 */
export async function placeChunked(blobs: BlobStore, target: TargetFolder, entry: ManifestEntry): Promise<FileStamp | undefined> {
  if (!(blobs instanceof LocalBlobStore) || !isChunked(entry.digest) || entry.ref !== undefined) return undefined;
  if (fs.existsSync(blobs.pathOf(entry.digest))) return undefined;
  let chunks;
  try {
    chunks = await chunksOf(blobs, entry.digest);
  } catch (err) {
    if (err instanceof IntegrityError) return undefined;
    throw err;
  }
  if (chunks.reduce((n, c) => n + c.size, 0) !== entry.size) return undefined;
  const partial = target.openPartial(entry.path);
  // Every job is awaited before the file is closed: a thread must never write to a descriptor number reused since.
  const inFlight: Promise<boolean>[] = [];
  let allPlaced = true;
  let failure: unknown;
  try {
    fs.ftruncateSync(partial.fd, entry.size);
    const window = ingestPool.size * QUEUED_PER_THREAD;
    for (const chunk of chunks) {
      if (inFlight.length >= window) allPlaced = (await inFlight.shift()!) && allPlaced;
      if (!allPlaced) break;
      const job = { kind: 'place-chunk' as const, blobFile: blobs.pathOf(chunk.digest), digest: chunk.digest, size: chunk.size, fd: partial.fd, offset: chunk.offset };
      inFlight.push(ingestPool.run(job, undefined, undefined).then((m) => m.type === 'place-chunk-done' && m.placed));
    }
  } catch (err) {
    failure = err;
  }
  for (const settled of await Promise.allSettled(inFlight)) {
    if (settled.status === 'rejected') failure ??= settled.reason;
    else allPlaced = settled.value && allPlaced;
  }
  if (failure !== undefined || !allPlaced) {
    partial.drop();
    if (failure !== undefined) throw failure;
    return undefined;
  }
  return partial.keep();
}
