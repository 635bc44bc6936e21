/**
 * Worker-thread body of the local store's ingests, so hashing runs on every core and the event loop stays free for
 * heartbeats. Two kinds of job:
 * - a large file: read once in chunks, each chunk hashed and written to the store's temp file, with resumable
 *   checkpoints;
 * - a batch of small files: each read whole once, hashed, and written to a temp file renamed to its blob (or
 *   hard-linked, when the caller opted in), so thousands of small files cost no main-thread time.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { IngestCheckpoint } from './blob-store';
import { refreshBlob } from './blob-freshness';
import { RateLimiter } from './rate-limiter';

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
}

export interface SmallBatchJob {
  readonly kind: 'small';
  /** The store's `sha256` folder and temp folder. */
  readonly blobRoot: string;
  readonly tmpDir: string;
  readonly files: readonly string[];
  readonly hardLink: boolean;
}

export interface SmallFileResult {
  readonly digest: string;
  readonly size: number;
  /** True when this call stored the blob (false: it was there already). */
  readonly wrote: boolean;
}

export type WorkerJob = HashCopyJob | SmallBatchJob;

export type HashCopyMessage =
  | { readonly type: 'checkpoint'; readonly checkpoint: IngestCheckpoint }
  | { readonly type: 'done'; readonly digest: string; readonly size: number; readonly resumedBytes: number }
  | { readonly type: 'batch-done'; readonly results: readonly SmallFileResult[] }
  | { readonly type: 'error'; readonly message: string; readonly code: string | undefined; readonly localPath: string | undefined };

async function runLarge(job: HashCopyJob, post: (m: HashCopyMessage) => void): Promise<void> {
  const src = await fsp.open(job.localPath, 'r');
  try {
    if (job.hardLink) {
      post(await hashThenLink(job, src));
      return;
    }
    const start = await resumePoint(job, src);
    const tmpName = start.bytesDone > 0 ? job.resume!.upload['tmpName'] as string : job.tmpName;
    const tmpPath = start.bytesDone > 0 ? job.tmpPath.replace(job.tmpName, tmpName) : job.tmpPath;
    const out = fs.openSync(tmpPath, start.bytesDone > 0 ? 'r+' : 'w');
    const { hash } = start;
    const limiter = job.maxBytesPerSecond ? new RateLimiter(job.maxBytesPerSecond) : undefined;
    let offset = start.bytesDone;
    try {
      if (offset > 0) fs.ftruncateSync(out, offset);
      let lastCheckpoint = offset;
      // Synchronous reads and writes: this thread does nothing else, and each call saved a hop to the I/O pool.
      const buffer = Buffer.allocUnsafe(job.chunkBytes);
      for (;;) {
        const bytesRead = fs.readSync(src.fd, buffer, 0, job.chunkBytes, offset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        writeAll(out, chunk, offset);
        offset += bytesRead;
        if (limiter) await limiter.take(bytesRead);
        if (offset - lastCheckpoint >= job.checkpointBytes) {
          lastCheckpoint = offset;
          post({ type: 'checkpoint', checkpoint: { localPath: job.localPath, sourceSize: job.sourceSize, sourceMtimeMs: job.sourceMtimeMs, bytesDone: offset, prefixDigest: hash.copy().digest('hex'), upload: { tmpName } } });
          // Let the checkpoint message leave before the next chunk.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      fs.closeSync(out);
    }
    if (tmpPath !== job.tmpPath) await fsp.rename(tmpPath, job.tmpPath);
    post({ type: 'done', digest: hash.digest('hex'), size: offset, resumedBytes: start.bytesDone });
  } finally {
    await src.close();
  }
}

/**
 * The hard-link path: hashing is the only work, so there is nothing worth resuming (no checkpoints). The link is
 * kept only if the file is the same one, unchanged, after hashing; otherwise the bytes are copied after all.
 */
async function hashThenLink(job: HashCopyJob, src: fsp.FileHandle): Promise<HashCopyMessage> {
  const before = await src.stat();
  const hash = createHash('sha256');
  const limiter = job.maxBytesPerSecond ? new RateLimiter(job.maxBytesPerSecond) : undefined;
  const buffer = Buffer.allocUnsafe(job.chunkBytes);
  let offset = 0;
  for (;;) {
    const bytesRead = fs.readSync(src.fd, buffer, 0, job.chunkBytes, offset);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    offset += bytesRead;
    if (limiter) await limiter.take(bytesRead);
  }
  if (!linkIfUnchanged(job.localPath, job.tmpPath, before)) await fsp.copyFile(job.localPath, job.tmpPath);
  return { type: 'done', digest: hash.digest('hex'), size: offset, resumedBytes: 0 };
}

function writeAll(fd: number, chunk: Buffer, at: number): void {
  for (let done = 0; done < chunk.length;) done += fs.writeSync(fd, chunk, done, chunk.length - done, at + done);
}

/** Hard-links `source` at `target` when it is still the file `before` described; false when it cannot (other device, changed). */
function linkIfUnchanged(source: string, target: string, before: fs.Stats): boolean {
  try {
    fs.linkSync(source, target);
  } catch {
    return false;
  }
  const after = fs.statSync(target);
  if (after.ino === before.ino && after.size === before.size && after.mtimeMs === before.mtimeMs) return true;
  fs.rmSync(target, { force: true });
  return false;
}

function runSmallBatch(job: SmallBatchJob): HashCopyMessage {
  const results: SmallFileResult[] = [];
  for (const localPath of job.files) {
    try {
      results.push(ingestSmall(job, localPath));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { type: 'error', message: e.message, code: e.code, localPath };
    }
  }
  return { type: 'batch-done', results };
}

function ingestSmall(job: SmallBatchJob, localPath: string): SmallFileResult {
  const fd = fs.openSync(localPath, 'r');
  let bytes: Buffer;
  let before: fs.Stats;
  try {
    before = fs.fstatSync(fd);
    bytes = fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const final = path.join(job.blobRoot, digest.slice(0, 2), digest.slice(2));
  if (fs.existsSync(final) && refreshBlob(final)) return { digest, size: bytes.length, wrote: false };
  const tmp = path.join(job.tmpDir, randomUUID());
  if (!(job.hardLink && before.size === bytes.length && linkIfUnchanged(localPath, tmp, before))) fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, final);
  return { digest, size: bytes.length, wrote: true };
}

/** Re-hashes the source prefix a checkpoint covers (reading only) when the checkpoint still holds; else starts fresh. */
async function resumePoint(job: HashCopyJob, src: fsp.FileHandle): Promise<{ hash: Hash; bytesDone: number }> {
  const fresh = { hash: createHash('sha256'), bytesDone: 0 };
  const r = job.resume;
  if (!r || r.localPath !== job.localPath || r.sourceSize !== job.sourceSize || r.sourceMtimeMs !== job.sourceMtimeMs) return fresh;
  const tmpName = r.upload['tmpName'];
  if (typeof tmpName !== 'string' || !/^[0-9a-f-]{36}$/.test(tmpName)) return fresh;
  const tmpStat = fs.statSync(job.tmpPath.replace(job.tmpName, tmpName), { throwIfNoEntry: false });
  if (!tmpStat || tmpStat.size < r.bytesDone) return fresh;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(job.chunkBytes);
  let pos = 0;
  while (pos < r.bytesDone) {
    const { bytesRead } = await src.read(buffer, 0, Math.min(job.chunkBytes, r.bytesDone - pos), pos);
    if (bytesRead === 0) return fresh;
    hash.update(buffer.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return hash.copy().digest('hex') === r.prefixDigest ? { hash, bytesDone: r.bytesDone } : fresh;
}

parentPort?.on('message', (job: WorkerJob) => {
  const post = (m: HashCopyMessage): void => parentPort!.postMessage(m);
  if (job.kind === 'small') {
    post(runSmallBatch(job));
    return;
  }
  runLarge(job, post).catch((err: NodeJS.ErrnoException) => post({ type: 'error', message: err.message, code: err.code, localPath: job.localPath }));
});
