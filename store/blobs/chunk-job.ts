/**
 * One chunk of a large file, on an ingest thread: read once into a buffer, hashed (BLAKE3), and then either written
 * from that same buffer into the local store as a blob of its own (unless the store holds it already), or handed
 * back, buffer and all, for an upload. The chunks of one file go to every thread at once, so one big file hashes
 * on every core.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { reusableBlob } from './blob-freshness';
import { blobPath } from './blob-layout';
import { CHUNK_BYTES } from './digest';
import { SOURCE_CHANGED } from './source-file';
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

export function runChunkJob(job: ChunkJob): ChunkDone {
  const keep = job.store === undefined && !job.hashOnly;
  const buffer = keep ? Buffer.allocUnsafeSlow(job.length) : (scratch ??= Buffer.allocUnsafeSlow(CHUNK_BYTES));
  const fd = fs.openSync(job.localPath, 'r');
  let bytes: Buffer;
  try {
    bytes = readAt(fd, buffer.subarray(0, job.length), job.offset, job.localPath);
  } finally {
    fs.closeSync(fd);
  }
  const digest = `blake3:${new Blake3Hasher().update(bytes).digest('hex')}`;
  if (keep) return { type: 'chunk-done', digest, size: bytes.length, wrote: false, bytes };
  if (!job.store) return { type: 'chunk-done', digest, size: bytes.length, wrote: false };
  const final = blobPath(job.store.blobRoot, digest);
  if (reusableBlob(final, bytes.length)) return { type: 'chunk-done', digest, size: bytes.length, wrote: false };
  const tmp = path.join(job.store.tmpDir, randomUUID());
  try {
    writeSparse(tmp, bytes);
    fs.renameSync(tmp, final);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { type: 'chunk-done', digest, size: bytes.length, wrote: true };
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

/** Holes are kept at this granularity: a zero region smaller than this is written like data. */
const HOLE_BLOCK = 64 << 10;
const ZEROS = Buffer.alloc(HOLE_BLOCK);

/** Writes a chunk, leaving its all-zero 64 KiB blocks as holes, so a sparse file stays sparse in the store. */
function writeSparse(file: string, bytes: Buffer): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let pos = 0; pos < bytes.length; pos += HOLE_BLOCK) {
      const end = Math.min(pos + HOLE_BLOCK, bytes.length);
      if (ZEROS.compare(bytes, pos, end, 0, end - pos) === 0) continue;
      for (let done = pos; done < end;) done += fs.writeSync(fd, bytes, done, end - done, done);
    }
    fs.ftruncateSync(fd, bytes.length);
  } finally {
    fs.closeSync(fd);
  }
}
