/**
 * Worker-thread body of the store's ingests, so hashing runs on every core and the event loop stays free for
 * heartbeats: a large file kept whole (hard-linked, or copied with resumable checkpoints), a batch of small files
 * (small-batch-job.ts), or one chunk of a chunked file (chunk-job.ts), and downloads' placing (placing-jobs.ts).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type { IngestCheckpoint } from './blob-store';
import { HASH_READ, hasherFor, type StreamHasher } from './digest';
import { RateLimiter } from './rate-limiter';
import { changedWhileRead, linkIfUnchanged, mayHideChange, sameSource, sourceState, type SourceState } from './source-file';
import { isDiskFull } from '../../errors/file-errors';
import { isSparse, writeNonZero } from './sparse-write';
import { errorMessage, type WorkerErrorMessage } from './worker-errors';
import { postChunk, type ChunkDone, type ChunkJob } from './chunk-job';
import { postPlacing, type PlacingDone, type PlacingJob } from './placing-jobs';
import { runSmallBatch, type SmallBatchDone, type SmallBatchJob } from './small-batch-job';

/** Chunks of a large file being written at once, each in its own buffer. */
const WRITES_IN_FLIGHT = 4;

export interface HashCopyJob {
  readonly kind: 'large';
  readonly localPath: string;
  readonly tmpPath: string;
  readonly tmpName: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly resume: IngestCheckpoint | undefined;
  readonly maxBytesPerSecond: number | undefined;
  readonly checkpointBytes: number;
  readonly chunkBytes: number;
  /** Hash only, then hard-link the source into the temp path instead of writing a copy. */
  readonly hardLink: boolean;
  /** Fresh, uncapped ingests of files up to this size are copied by the kernel while the thread hashes them. */
  readonly kernelCopyMaxBytes: number;
}

export type WorkerJob = HashCopyJob | SmallBatchJob | ChunkJob | PlacingJob;

export type HashCopyMessage =
  | { readonly type: 'ready' } | { readonly type: 'checkpoint'; readonly checkpoint: IngestCheckpoint }
  | { readonly type: 'done'; readonly digest: string; readonly size: number; readonly resumedBytes: number }
  | SmallBatchDone
  | ChunkDone | PlacingDone | WorkerErrorMessage;

async function runLarge(job: HashCopyJob, post: (m: HashCopyMessage) => void): Promise<void> {
  const src = await fsp.open(job.localPath, 'r');
  try {
    const linked = job.hardLink ? await hashThenLink(job, src) : undefined;
    const copied = linked ?? (kernelCopyFits(job, await src.stat()) ? await hashWhileKernelCopies(job, src) : undefined);
    post(copied ?? (await copyInChunks(job, src, post)));
  } finally {
    await src.close();
  }
}

/**
 * Whether the file still looks as it did before the read began (`before`), and, when a write could hide from its
 * times, still hashes to `digest`: the read was one consistent snapshot, not a mix of old and new bytes.
 */
async function unchangedSince(job: HashCopyJob, src: fsp.FileHandle, before: SourceState, digest: string): Promise<boolean> {
  if (!sameSource(before, sourceState(src.fd))) return false;
  return !mayHideChange(before) || (await hashWhole(job, src)).digest === digest;
}

/**
 * Whether a file is copied by the kernel while this thread hashes it: a fresh, uncapped ingest of a file small
 * enough that redoing it after a crash costs about a second. Larger, rate-capped and resumed files go through
 * `copyInChunks`, which checkpoints; so do sparse files, whose holes the kernel copy would fill with zeros.
 */
function kernelCopyFits(job: HashCopyJob, source: fs.Stats): boolean {
  return job.resume === undefined && !job.maxBytesPerSecond && job.sourceSize <= job.kernelCopyMaxBytes && !isSparse(source);
}

/**
 * The copy runs in the kernel (copy_file_range, on the I/O pool) while this thread reads and hashes the same
 * bytes from the page cache, so hashing and copying use two cores and no byte is copied through user space.
 * Undefined (the temp file removed) when the file changed meanwhile, so the caller copies it the careful way.
 */
async function hashWhileKernelCopies(job: HashCopyJob, src: fsp.FileHandle): Promise<HashCopyMessage | undefined> {
  const before = sourceState(src.fd);
  const copy = fsp.copyFile(job.localPath, job.tmpPath);
  copy.catch(() => undefined); // observed here; awaited below
  const { digest, size } = await hashWhole(job, src);
  try {
    await copy;
  } catch (err) {
    await fsp.rm(job.tmpPath, { force: true }); // a partial copy (a full disk) holds space nothing can use
    throw err;
  }
  const written = fs.statSync(job.tmpPath).size;
  if (written === size && BigInt(size) === before.size && (await unchangedSince(job, src, before, digest))) {
    return { type: 'done', digest, size, resumedBytes: 0 };
  }
  await fsp.rm(job.tmpPath, { force: true });
  return undefined;
}

/**
 * Reads, hashes and writes chunk by chunk, with a resumable checkpoint every `checkpointBytes`. All-zero regions are
 * not written, so they stay holes in the temp file (the file is extended to its full length at each checkpoint and
 * at the end): a sparse file is stored sparse.
 */
async function copyInChunks(job: HashCopyJob, src: fsp.FileHandle, post: (m: HashCopyMessage) => void): Promise<HashCopyMessage> {
  const before = sourceState(src.fd);
  const start = await resumePoint(job, src, post);
  const tmpName = start.bytesDone > 0 ? job.resume!.upload['tmpName'] as string : job.tmpName;
  const tmpPath = start.bytesDone > 0 ? job.tmpPath.replace(job.tmpName, tmpName) : job.tmpPath;
  const out = await fsp.open(tmpPath, start.bytesDone > 0 ? 'r+' : 'w');
  const { hash } = start;
  const limiter = job.maxBytesPerSecond ? new RateLimiter(job.maxBytesPerSecond) : undefined;
  let offset = start.bytesDone;
  try {
    if (offset > 0) await out.truncate(offset);
    let lastCheckpoint = offset;
    // Reads and hashing on this thread; writes go to the I/O pool with a few in flight, so a write the kernel
    // holds back (dirty-page throttling) does not stop the hashing of the next chunks.
    const buffers = Array.from({ length: WRITES_IN_FLIGHT }, () => Buffer.allocUnsafe(job.chunkBytes));
    const writes: (Promise<void> | undefined)[] = new Array<Promise<void> | undefined>(WRITES_IN_FLIGHT);
    for (let i = 0; ; i = (i + 1) % WRITES_IN_FLIGHT) {
      await writes[i];
      const buffer = buffers[i]!;
      const bytesRead = fs.readSync(src.fd, buffer, 0, job.chunkBytes, offset);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      const write = writeNonZero(out, chunk, offset);
      write.catch(() => undefined); // observed here so a failure waits for its await below instead of crashing the thread
      writes[i] = write;
      offset += bytesRead;
      if (offset > job.sourceSize) break; // it grew: the caller refuses the size change, so reading on is waste
      if (limiter) await limiter.take(bytesRead);
      if (offset - lastCheckpoint >= job.checkpointBytes) {
        await Promise.all(writes);
        // A trailing hole has no bytes written: extend the file, since a resume checks it holds `offset` bytes.
        await out.truncate(offset);
        lastCheckpoint = offset;
        post({ type: 'checkpoint', checkpoint: { localPath: job.localPath, sourceSize: job.sourceSize, sourceMtimeMs: job.sourceMtimeMs, bytesDone: offset, prefixDigest: hash.digest(), upload: { tmpName } } });
      }
    }
    await Promise.all(writes);
    await out.truncate(offset);
  } catch (err) {
    // A full disk stays full while a partial copy holds it: give the space back (a retry starts the file over).
    if (isDiskFull((err as NodeJS.ErrnoException).code)) await fsp.rm(tmpPath, { force: true });
    throw err;
  } finally {
    await out.close();
  }
  const digest = hash.digest();
  // Only the size was checked here once: a file rewritten in place during a long, capped read kept its size.
  if (!(await unchangedSince(job, src, before, digest))) {
    await fsp.rm(tmpPath, { force: true });
    throw changedWhileRead(job.localPath);
  }
  if (tmpPath !== job.tmpPath) await fsp.rename(tmpPath, job.tmpPath);
  return { type: 'done', digest, size: offset, resumedBytes: start.bytesDone };
}

/** The digest of a whole file, read and hashed a piece at a time on this thread (at the capped rate, if any). */
async function hashWhole(job: HashCopyJob, src: fsp.FileHandle): Promise<{ digest: string; size: number }> {
  const hash = hasherFor();
  const limiter = job.maxBytesPerSecond ? new RateLimiter(job.maxBytesPerSecond) : undefined;
  const buffer = Buffer.allocUnsafe(HASH_READ);
  let offset = 0;
  for (;;) {
    const bytesRead = fs.readSync(src.fd, buffer, 0, HASH_READ, offset);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    offset += bytesRead;
    if (offset > job.sourceSize) break; // it grew (see copyInChunks)
    if (limiter) await limiter.take(bytesRead);
  }
  return { digest: hash.digest(), size: offset };
}

/**
 * The hard-link path: hashing is the only work, so there is nothing worth resuming (no checkpoints). A file written
 * to while it was hashed is refused; the link is kept only if it is still that file. Undefined when it cannot be
 * linked (another device, changed since): the caller then copies it, reading it again.
 */
async function hashThenLink(job: HashCopyJob, src: fsp.FileHandle): Promise<HashCopyMessage | undefined> {
  const before = sourceState(src.fd);
  const { digest, size } = await hashWhole(job, src);
  if (!(await unchangedSince(job, src, before, digest))) throw changedWhileRead(job.localPath);
  return linkIfUnchanged(job.localPath, job.tmpPath, before) ? { type: 'done', digest, size, resumedBytes: 0 } : undefined;
}

/** While a resume re-hashes its prefix, the checkpoint it resumes from is re-reported this often, as a keep-alive. */
const REHASH_REPORT_BYTES = 256 << 20;

/**
 * Re-hashes the source prefix a checkpoint covers (reading only) when the checkpoint still holds; else starts
 * fresh. Re-hashing a long prefix takes a while, so the checkpoint is re-reported as it goes (the caller
 * heartbeats each report; a silent minute would time the activity out and start the re-hash over).
 */
async function resumePoint(job: HashCopyJob, src: fsp.FileHandle, post: (m: HashCopyMessage) => void): Promise<{ hash: StreamHasher; bytesDone: number }> {
  const fresh = { hash: hasherFor(), bytesDone: 0 };
  const r = job.resume;
  if (!r || r.localPath !== job.localPath || r.sourceSize !== job.sourceSize || r.sourceMtimeMs !== job.sourceMtimeMs) return fresh;
  const tmpName = r.upload['tmpName'];
  if (typeof tmpName !== 'string' || !/^[0-9a-f-]{36}$/.test(tmpName)) return fresh;
  const tmpStat = fs.statSync(job.tmpPath.replace(job.tmpName, tmpName), { throwIfNoEntry: false });
  if (!tmpStat || tmpStat.size < r.bytesDone) return fresh;
  const hash = hasherFor();
  const buffer = Buffer.allocUnsafe(HASH_READ);
  let pos = 0;
  while (pos < r.bytesDone) {
    if (pos % REHASH_REPORT_BYTES < HASH_READ) post({ type: 'checkpoint', checkpoint: r });
    const { bytesRead } = await src.read(buffer, 0, Math.min(HASH_READ, r.bytesDone - pos), pos);
    if (bytesRead === 0) return fresh;
    hash.update(buffer.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return hash.digest() === r.prefixDigest ? { hash, bytesDone: r.bytesDone } : fresh;
}

parentPort?.on('message', (job: WorkerJob) => {
  const post = (m: HashCopyMessage): void => parentPort!.postMessage(m);
  if (job.kind === 'small') return post(runSmallBatch(job));
  if (job.kind === 'chunk') return postChunk(job);
  if (job.kind === 'place-chunk' || job.kind === 'place-small') return postPlacing(job);
  runLarge(job, post).catch((err: unknown) => post(errorMessage(err, job.localPath)));
});
parentPort?.postMessage({ type: 'ready' } satisfies HashCopyMessage); // code loaded (see HashCopyPool.prestart)
