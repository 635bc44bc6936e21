import fs from 'node:fs';
import type { BlobStore } from '../blobs/blob-store';
import { CachedBlobStore } from '../blobs/cached-blob-store';
import { chunksOf, isChunked, REMOTE_WINDOW, type ChunkRef } from '../blobs/chunked-files';
import { ingestPool } from '../blobs/hash-copy-pool';
import { CHUNK_BYTES } from '../blobs/digest';
import { LocalBlobStore } from '../blobs/local-blob-store';
import { NATIVE_DIGEST as BLAKE3, nativeError, nativeHelper, type NativeHelper } from '../blobs/native';
import type { ManifestEntry } from '../manifest/manifest';
import type { FileStamp } from './file-stamp';
import type { TargetFolder } from './target-folder';
import { IntegrityError } from '../../errors';
import { writeAll } from '../blobs/write-all';

/** Chunk jobs queued per ingest thread, so a thread never waits for the next one. */
const QUEUED_PER_THREAD = 2;

/** Places one chunk at its offset in the open file `fd`; false when its bytes are missing or do not match. */
interface ChunkPlacer {
  readonly window: number;
  place(chunk: ChunkRef, fd: number): Promise<boolean>;
  /** Places a run of chunks at once instead (the native helper's threads); false as above, for any of them. */
  readonly placeRun?: ((chunks: readonly ChunkRef[], fd: number) => Promise<boolean>) | undefined;
}

/** Chunks per native call: 1 GiB, so no call runs long. */
const NATIVE_RUN = 256;

/**
 * A large file stored as chunks, written to a temp file beside its place with several chunks in flight, each checked
 * against the digest the (checked) chunk list gives. Renamed into place only when every chunk matched, so the whole
 * file's bytes are verified (its `blake3c` digest is the hash of that list); otherwise the temp file is dropped.
 * - Local store: the chunks are spread over the native helper's own threads, 1 GiB per call (without the helper, over
 *   the ingest threads); each reads a chunk, hashing and writing it a piece at a time (a chunk that turns out not to
 *   match has left bytes only in the temp file).
 * - Remote store read through the cache: each chunk comes checked from the cache, or is fetched and checked once
 *   (with the helper, hashed while it is written into the file, then kept in the cache, off the event loop), several in
 *   flight.
 * Undefined when this road does not apply (another store, a file stored whole, a reference) or a chunk is missing
 * or damaged: nothing is left behind, and the caller takes the usual road, which reads the file in order and
 * reports what is wrong.
 */
export async function placeChunked(blobs: BlobStore, target: TargetFolder, entry: ManifestEntry): Promise<FileStamp | undefined> {
  if (!isChunked(entry.digest) || entry.ref !== undefined) return undefined;
  const placer = placerFor(blobs, entry);
  if (!placer) return undefined;
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
    if (placer.placeRun) {
      for (let i = 0; i < chunks.length && allPlaced; i += NATIVE_RUN) allPlaced = await placer.placeRun(chunks.slice(i, i + NATIVE_RUN), partial.fd);
    } else {
      for (const chunk of chunks) {
        if (inFlight.length >= placer.window) allPlaced = (await inFlight.shift()!) && allPlaced;
        if (!allPlaced) break;
        inFlight.push(placer.place(chunk, partial.fd));
      }
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

function placerFor(blobs: BlobStore, entry: ManifestEntry): ChunkPlacer | undefined {
  if (blobs instanceof LocalBlobStore) {
    if (fs.existsSync(blobs.pathOf(entry.digest))) return undefined; // stored whole
    const native = nativeHelper();
    return {
      window: ingestPool.size * QUEUED_PER_THREAD,
      place: async (chunk, fd) => {
        const job = { kind: 'place-chunk' as const, blobFile: blobs.pathOf(chunk.digest), digest: chunk.digest, size: chunk.size, fd, offset: chunk.offset };
        const done = await ingestPool.run(job, undefined, undefined);
        return done.type === 'place-chunk-done' && done.placed;
      },
      // With the helper, on threads of its own: the pool's would first have to load their code (40-60 ms).
      placeRun: native && async function placeRun(run, fd) {
        if (!run.every((c) => c.digest.startsWith(BLAKE3))) return false;
        const chunks = run.map((c) => ({ blobFile: blobs.pathOf(c.digest), hex: c.digest.slice(BLAKE3.length), size: c.size, offset: c.offset }));
        const done = await native.placeChunks(chunks, fd, ingestPool.size);
        if (done.failure) throw nativeError(done.failure);
        return done.placed;
      },
    };
  }
  if (blobs instanceof CachedBlobStore) {
    // One buffer per chunk in flight, reused for the file's next chunks: fresh 4 MiB buffers for each chunk cost page
    // faults and garbage collections (about a third of the process's user CPU for 2 GiB).
    const spare: Buffer[] = [];
    return {
      window: REMOTE_WINDOW,
      place: async (chunk, fd) => {
        const buffer = spare.pop() ?? fetchBuffer();
        try {
          return await placeFetched(blobs, chunk, fd, buffer);
        } finally {
          spare.push(buffer);
        }
      },
    };
  }
  return undefined;
}

/**
 * A chunk from the cache or the remote store (read into `buffer` when fetched), both of which check it against its
 * digest, written at its offset. Done with `buffer` when it returns: the cache's copy was written before. With the
 * native helper, a chunk the cache lacks is hashed as it is written at its offset, and kept in the cache once it
 * matched (keepFetched), off this thread.
 */
async function placeFetched(blobs: CachedBlobStore, chunk: ChunkRef, fd: number, buffer: Buffer): Promise<boolean> {
  const native = nativeHelper();
  if (native && blobs.remote.getUnchecked && chunk.digest.startsWith(BLAKE3) && !fs.existsSync(blobs.cache.pathOf(chunk.digest))) {
    return keepFetched(native, blobs, chunk, fd, buffer);
  }
  let bytes: Buffer;
  try {
    bytes = await blobs.getBytes(chunk.digest, buffer);
  } catch (err) {
    if (err instanceof IntegrityError) return false;
    throw err;
  }
  if (bytes.length !== chunk.size) return false;
  await writeAll(fd, bytes, chunk.offset);
  return true;
}

/** A chunk the cache lacks, fetched unchecked, hashed while the helper writes it into the file, kept in the cache if it matched. */
async function keepFetched(native: NativeHelper, blobs: CachedBlobStore, chunk: ChunkRef, fd: number, buffer: Buffer): Promise<boolean> {
  let bytes: Buffer;
  try {
    bytes = await blobs.remote.getUnchecked!(chunk.digest, buffer);
  } catch (err) {
    if (err instanceof IntegrityError) return false; // missing: the usual road names the file
    throw err;
  }
  if (bytes.length !== chunk.size) return false;
  const slot = blobs.cache.slotFor(chunk.digest, bytes.length);
  const done = await native.keepFetched(bytes, chunk.digest.slice(BLAKE3.length), slot?.tmp ?? '', slot?.entry ?? '', fd, chunk.offset);
  if (done.failure) throw done.failure.path ? blobs.cache.failure(nativeError(done.failure)) : nativeError(done.failure);
  if (done.matched && slot) await blobs.cache.added(bytes.length);
  return done.matched;
}

/** Memory aligned for direct writes lies this far apart at most (DIRECT_BLOCK in native/src/keep_fetched.rs). */
const DIRECT_BLOCK = 4096;

/**
 * A buffer to fetch a chunk into. With the native helper it starts at memory aligned for direct writes, so the cache's
 * copy is written from it without another copy (see keepFetched).
 */
function fetchBuffer(): Buffer {
  const native = nativeHelper();
  if (!native) return Buffer.allocUnsafeSlow(CHUNK_BYTES);
  const room = Buffer.allocUnsafeSlow(CHUNK_BYTES + DIRECT_BLOCK);
  const at = native.directOffset(room);
  return room.subarray(at, at + CHUNK_BYTES);
}
