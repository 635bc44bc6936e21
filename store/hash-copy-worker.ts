/**
 * Worker-thread body of a large-file ingest: reads the source once, hashing each chunk and writing it to the
 * store's temp file, posting resumable checkpoints. Runs off the main thread so several large files hash on
 * several cores, and so the event loop stays free for heartbeats.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import type { IngestCheckpoint } from './blob-store';
import { RateLimiter } from './rate-limiter';

export interface HashCopyJob {
  readonly localPath: string;
  readonly tmpPath: string;
  readonly tmpName: string;
  readonly sourceSize: number;
  readonly sourceMtimeMs: number;
  readonly resume: IngestCheckpoint | undefined;
  readonly maxBytesPerSecond: number | undefined;
  readonly checkpointBytes: number;
  readonly chunkBytes: number;
}

export type HashCopyMessage =
  | { readonly type: 'checkpoint'; readonly checkpoint: IngestCheckpoint }
  | { readonly type: 'done'; readonly digest: string; readonly size: number; readonly resumedBytes: number }
  | { readonly type: 'error'; readonly message: string; readonly code: string | undefined };

async function run(job: HashCopyJob, post: (m: HashCopyMessage) => void): Promise<void> {
  const src = await fsp.open(job.localPath, 'r');
  try {
    const start = await resumePoint(job, src);
    const tmpName = start.bytesDone > 0 ? job.resume!.upload['tmpName'] as string : job.tmpName;
    const tmpPath = start.bytesDone > 0 ? job.tmpPath.replace(job.tmpName, tmpName) : job.tmpPath;
    const out = await fsp.open(tmpPath, start.bytesDone > 0 ? 'r+' : 'w');
    const { hash } = start;
    const limiter = new RateLimiter(job.maxBytesPerSecond);
    let offset = start.bytesDone;
    try {
      if (offset > 0) await out.truncate(offset);
      let lastCheckpoint = offset;
      // Two buffers: the next read runs while the current chunk is hashed and written.
      const buffers = [Buffer.allocUnsafe(job.chunkBytes), Buffer.allocUnsafe(job.chunkBytes)];
      let pendingWrite: Promise<unknown> = Promise.resolve();
      let which = 0;
      let reading = src.read(buffers[which]!, 0, job.chunkBytes, offset);
      for (;;) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) break;
        const chunk = buffers[which]!.subarray(0, bytesRead);
        const at = offset;
        offset += bytesRead;
        await pendingWrite;
        which ^= 1;
        reading = src.read(buffers[which]!, 0, job.chunkBytes, offset);
        hash.update(chunk);
        pendingWrite = out.write(chunk, 0, bytesRead, at);
        await limiter.take(bytesRead);
        if (offset - lastCheckpoint >= job.checkpointBytes) {
          await pendingWrite;
          lastCheckpoint = offset;
          post({ type: 'checkpoint', checkpoint: { localPath: job.localPath, sourceSize: job.sourceSize, sourceMtimeMs: job.sourceMtimeMs, bytesDone: offset, prefixDigest: hash.copy().digest('hex'), upload: { tmpName } } });
        }
      }
      await pendingWrite;
    } finally {
      await out.close();
    }
    if (tmpPath !== job.tmpPath) await fsp.rename(tmpPath, job.tmpPath);
    post({ type: 'done', digest: hash.digest('hex'), size: offset, resumedBytes: start.bytesDone });
  } finally {
    await src.close();
  }
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

parentPort?.on('message', (job: HashCopyJob) => {
  const post = (m: HashCopyMessage): void => parentPort!.postMessage(m);
  run(job, post).catch((err: NodeJS.ErrnoException) => post({ type: 'error', message: err.message, code: err.code }));
});
