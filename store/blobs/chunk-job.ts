/**
 * One chunk of a large file, on an ingest thread: read once, hashed (BLAKE3), and either written from the buffer that
 * was hashed into the local store as a blob of its own, or handed back, buffer and all, for an upload. The chunks
 * of one file go to every thread at once, so one big file hashes on every core.
 *
 * A local chunk is written one of two ways. Streamed: read, hashed and written to its temp file a 256 KiB piece at a
 * time, so each piece is hashed and written while it is still in the CPU cache (about 15% less CPU than whole
 * chunks on the bench machine), and renamed to its blob once its digest is known, or dropped if the store held it
 * already. Hashed first: the whole chunk is read and hashed, and written only if the store lacks it; a new version
 * of a file whose chunks mostly exist writes nothing for them. The caller picks (see chunked-ingest.ts). With the
 * native helper (native.ts) a local chunk is always hashed first, then copied by the kernel from the source file
 * (no second pass through this thread's memory), and kept only if the source did not change meanwhile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { reusableBlob } from './blob-freshness';
import { blobPath, CHUNK_TEMP } from './blob-layout';
import { ownedTempName } from '../owned-temps';
import { CHUNK_BYTES, HASH_READ } from './digest';
import { ingestFailure, nativeHelper, type NativeHelper } from './native';
import { SOURCE_CHANGED } from './source-file';
import { writeNonZeroSync } from './sparse-write';
import { errorMessage } from './worker-errors';

export interface ChunkJob {
  readonly kind: 'chunk';
  readonly localPath: string;
  readonly offset: number;
  readonly length: number;
  /** Write the chunk into this local store (its root and temp folder); absent: hand the bytes back. */
  readonly store?: { readonly blobRoot: string; readonly tmpDir: string } | undefined;
  /** Only hash: neither write nor hand back (a re-check of a file that may have changed while read). */
  readonly hashOnly?: boolean | undefined;
  /** Local store: write the chunk while it is read and hashed, before knowing whether the store holds it. */
  readonly streamed?: boolean | undefined;
}

export interface ChunkDone {
  readonly type: 'chunk-done';
  readonly digest: string;
  readonly size: number;
  /** True when this job wrote the blob (false: the store held it already, or nothing was to be written). */
  readonly wrote: boolean;
  /** The chunk's bytes, when they are handed back for an upload (transferred, not copied). */
  readonly bytes?: Uint8Array | undefined;
}

/** One buffer per thread for chunks written locally: each is hashed and written before the next is read. */
let scratch: Buffer | undefined;

/** A streamed chunk is read, hashed and written in pieces of this size (they stay in the CPU's cache between the three). */
const PIECE = 256 << 10;

export function runChunkJob(job: ChunkJob): ChunkDone {
  const native = job.store && !job.hashOnly ? nativeHelper() : undefined;
  if (native && job.store) return nativeChunk(native, job, job.store);
  if (job.store && job.streamed && !job.hashOnly) return streamChunk(job, job.store);
  const keep = job.store === undefined && !job.hashOnly;
  const buffer = keep ? Buffer.allocUnsafeSlow(job.length) : (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES));
  const fd = fs.openSync(job.localPath, 'r');
  const bytes = buffer.subarray(0, job.length);
  const hasher = new Blake3Hasher();
  try {
    // Hashed a piece at a time as it is read, while the piece is in the CPU's cache (see HASH_READ).
    for (let pos = 0; pos < job.length; pos += HASH_READ) {
      hasher.update(readAt(fd, bytes.subarray(pos, Math.min(pos + HASH_READ, job.length)), job.offset + pos, job.localPath));
    }
  } finally {
    fs.closeSync(fd);
  }
  const digest = `blake3:${hasher.digest('hex')}`;
  if (keep) return { type: 'chunk-done', digest, size: bytes.length, wrote: false, bytes };
  if (!job.store) return { type: 'chunk-done', digest, size: bytes.length, wrote: false };
  const final = blobPath(job.store.blobRoot, digest);
  if (reusableBlob(final, bytes.length)) return { type: 'chunk-done', digest, size: bytes.length, wrote: false };
  const tmp = path.join(job.store.tmpDir, ownedTempName(CHUNK_TEMP));
  try {
    writeTemp(tmp, (fd) => writeNonZeroSync(fd, bytes, 0), bytes.length);
    fs.renameSync(tmp, final);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { type: 'chunk-done', digest, size: bytes.length, wrote: true };
}

/**
 * The native helper's way (its twin is the hashed-first way above): hashed, then, when the store lacks it, copied by
 * the kernel from the source and kept only if the source did not change meanwhile.
 */
function nativeChunk(native: NativeHelper, job: ChunkJob, store: NonNullable<ChunkJob['store']>): ChunkDone {
  const r = native.ingestChunk(store.blobRoot, path.join(store.tmpDir, ownedTempName(CHUNK_TEMP)), job.localPath, job.offset, job.length);
  if (r.failure) throw ingestFailure(r.failure, job.localPath);
  return { type: 'chunk-done', digest: `blake3:${r.hex}`, size: job.length, wrote: r.wrote };
}

/** The streamed way (see the top of this file): one pass over the chunk, written before its digest is known. */
function streamChunk(job: ChunkJob, store: NonNullable<ChunkJob['store']>): ChunkDone {
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES)).subarray(0, PIECE);
  const hasher = new Blake3Hasher();
  const tmp = path.join(store.tmpDir, ownedTempName(CHUNK_TEMP));
  const src = fs.openSync(job.localPath, 'r');
  try {
    writeTemp(tmp, (out) => {
      for (let pos = 0; pos < job.length; pos += PIECE) {
        const piece = readAt(src, buffer.subarray(0, Math.min(PIECE, job.length - pos)), job.offset + pos, job.localPath);
        hasher.update(piece);
        writeNonZeroSync(out, piece, pos);
      }
    }, job.length);
    const digest = `blake3:${hasher.digest('hex')}`;
    const final = blobPath(store.blobRoot, digest);
    if (reusableBlob(final, job.length)) {
      fs.rmSync(tmp, { force: true });
      return { type: 'chunk-done', digest, size: job.length, wrote: false };
    }
    fs.renameSync(tmp, final);
    return { type: 'chunk-done', digest, size: job.length, wrote: true };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    fs.closeSync(src);
  }
}

/** Creates `file`, lets `write` fill it (all-zero blocks left as holes) and sets its length, so a sparse chunk stays sparse. */
function writeTemp(file: string, write: (fd: number) => void, length: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    write(fd);
    fs.ftruncateSync(fd, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads exactly `into.length` bytes at `offset`; a file that ends sooner shrank while it was read. */
function readAt(fd: number, into: Buffer, offset: number, localPath: string): Buffer {
  let got = 0;
  while (got < into.length) {
    const n = fs.readSync(fd, into, got, into.length - got, offset + got);
    if (n === 0) throw Object.assign(new Error(`${localPath} shrank while being read (ended before byte ${offset + got})`), { code: SOURCE_CHANGED, localPath });
    got += n;
  }
  return into;
}

/** Runs a chunk job on this thread and posts its result; the bytes handed back are transferred, not copied. */
export function postChunk(job: ChunkJob): void {
  try {
    const done = runChunkJob(job);
    parentPort!.postMessage(done, done.bytes ? [done.bytes.buffer as ArrayBuffer] : []);
  } catch (err) {
    parentPort!.postMessage(errorMessage(err, job.localPath));
  }
}
