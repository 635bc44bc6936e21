import { createHash, randomUUID, type Hash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, IngestCheckpoint, IngestOptions, IngestResult } from './blob-store';
import { sha256 } from './digest';
import { RateLimiter } from './rate-limiter';
import { IntegrityError, LocalFileError } from '../errors';

/** Files up to this size are read whole and written with one call: the fast path for many small files. */
const SMALL_FILE = 1 << 20;
const CHUNK = 8 << 20;
/** How often a large ingest reports a resumable checkpoint. */
const CHECKPOINT_BYTES = 32 << 20;

/**
 * The embedded blob store: `<root>/sha256/ab/cdef...` on the local filesystem. Blobs are written to
 * `<root>/tmp` and renamed into place, so a crash leaves at most an orphaned temp file, never a partial blob.
 */
export class LocalBlobStore implements BlobStore {
  readonly location: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.location = root;
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    const shard = path.join(root, 'sha256');
    if (!fs.existsSync(path.join(shard, 'ff'))) {
      for (let i = 0; i < 256; i++) fs.mkdirSync(path.join(shard, i.toString(16).padStart(2, '0')), { recursive: true });
    }
  }

  pathOf(digest: string): string {
    return path.join(this.root, 'sha256', digest.slice(0, 2), digest.slice(2));
  }

  async has(digest: string): Promise<boolean> {
    return fs.existsSync(this.pathOf(digest));
  }

  async putBytes(bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    this.putSync(digest, bytes);
    return digest;
  }

  private putSync(digest: string, bytes: Uint8Array): boolean {
    const final = this.pathOf(digest);
    if (fs.existsSync(final)) return false;
    const tmp = path.join(this.tmpDir, randomUUID());
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, final);
    return true;
  }

  async getBytes(digest: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.pathOf(digest));
    } catch (err) {
      throw missingBlob(digest, err);
    }
  }

  async ingestFile(localPath: string, options: IngestOptions = {}): Promise<IngestResult> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(localPath);
    } catch (err) {
      throw new LocalFileError(localPath, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : String(err));
    }
    if (!stat.isFile()) throw new LocalFileError(localPath, 'it is not a regular file');
    if (stat.size <= SMALL_FILE) {
      const bytes = fs.readFileSync(localPath);
      await new RateLimiter(options.maxBytesPerSecond).take(bytes.length);
      const digest = sha256(bytes);
      const wrote = this.putSync(digest, bytes);
      return { digest, size: bytes.length, bytesWritten: wrote ? bytes.length : 0, resumedBytes: 0 };
    }
    return this.ingestLarge(localPath, stat, options);
  }

  private async ingestLarge(localPath: string, stat: fs.Stats, options: IngestOptions): Promise<IngestResult> {
    const limiter = new RateLimiter(options.maxBytesPerSecond);
    const src = await fsp.open(localPath, 'r');
    try {
      const start = await this.resumePoint(localPath, stat, src, options.resume);
      const { hash, tmpName } = start;
      let offset = start.bytesDone;
      const tmpPath = path.join(this.tmpDir, tmpName);
      const out = await fsp.open(tmpPath, offset > 0 ? 'r+' : 'w');
      try {
        if (offset > 0) await out.truncate(offset);
        let lastCheckpoint = offset;
        // Two buffers: the next read runs while the current chunk is hashed and written (one read per byte).
        const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
        let pendingWrite: Promise<unknown> = Promise.resolve();
        let which = 0;
        let reading = src.read(buffers[which]!, 0, CHUNK, offset);
        for (;;) {
          const { bytesRead } = await reading;
          if (bytesRead === 0) break;
          if (options.signal?.aborted) throw options.signal.reason ?? new Error('ingest aborted');
          const chunk = buffers[which]!.subarray(0, bytesRead);
          const at = offset;
          offset += bytesRead;
          await pendingWrite;
          which ^= 1;
          reading = src.read(buffers[which]!, 0, CHUNK, offset);
          hash.update(chunk);
          pendingWrite = out.write(chunk, 0, bytesRead, at);
          await limiter.take(bytesRead);
          if (offset - lastCheckpoint >= CHECKPOINT_BYTES && options.onCheckpoint) {
            await pendingWrite;
            lastCheckpoint = offset;
            options.onCheckpoint(checkpointOf(localPath, stat, offset, hash, tmpName));
          }
        }
        await pendingWrite;
      } finally {
        await out.close();
      }
      if (offset !== stat.size) throw new LocalFileError(localPath, `it changed size while being read (${stat.size} -> ${offset} bytes)`);
      const digest = hash.digest('hex');
      const final = this.pathOf(digest);
      if (fs.existsSync(final)) await fsp.rm(tmpPath, { force: true });
      else await fsp.rename(tmpPath, final);
      return { digest, size: offset, bytesWritten: offset - start.bytesDone, resumedBytes: start.bytesDone };
    } finally {
      await src.close();
    }
  }

  /** Validates a checkpoint against the source and the temp file; falls back to a fresh start when it does not hold. */
  private async resumePoint(localPath: string, stat: fs.Stats, src: fsp.FileHandle, resume: IngestCheckpoint | undefined): Promise<{ hash: Hash; bytesDone: number; tmpName: string }> {
    const fresh = { hash: createHash('sha256'), bytesDone: 0, tmpName: randomUUID() };
    if (!resume || resume.localPath !== localPath || resume.sourceSize !== stat.size || resume.sourceMtimeMs !== stat.mtimeMs) return fresh;
    const tmpName = resume.upload['tmpName'];
    if (typeof tmpName !== 'string' || !/^[0-9a-f-]{36}$/.test(tmpName)) return fresh;
    const tmpStat = fs.statSync(path.join(this.tmpDir, tmpName), { throwIfNoEntry: false });
    if (!tmpStat || tmpStat.size < resume.bytesDone) return fresh;
    // Re-hash the source prefix (reads only; nothing is written again) to continue the running digest.
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let pos = 0;
    while (pos < resume.bytesDone) {
      const { bytesRead } = await src.read(buffer, 0, Math.min(CHUNK, resume.bytesDone - pos), pos);
      if (bytesRead === 0) return fresh;
      hash.update(buffer.subarray(0, bytesRead));
      pos += bytesRead;
    }
    if (hash.copy().digest('hex') !== resume.prefixDigest) return fresh;
    return { hash, bytesDone: resume.bytesDone, tmpName };
  }

  async copyTo(digest: string, destination: string): Promise<void> {
    await fsp.mkdir(path.dirname(destination), { recursive: true });
    const tmp = `${destination}.partial-${randomUUID().slice(0, 8)}`;
    try {
      await fsp.copyFile(this.pathOf(digest), tmp);
    } catch (err) {
      throw missingBlob(digest, err);
    }
    await fsp.rename(tmp, destination);
  }

  async hashStored(digest: string): Promise<string> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of fs.createReadStream(this.pathOf(digest), { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
    } catch (err) {
      throw missingBlob(digest, err);
    }
    return hash.digest('hex');
  }

  async *list(): AsyncIterable<string> {
    const shardRoot = path.join(this.root, 'sha256');
    for (const shard of (await fsp.readdir(shardRoot)).sort()) {
      for (const rest of await fsp.readdir(path.join(shardRoot, shard))) yield shard + rest;
    }
  }

  async delete(digest: string): Promise<void> {
    await fsp.rm(this.pathOf(digest), { force: true });
  }
}

function checkpointOf(localPath: string, stat: fs.Stats, bytesDone: number, hash: Hash, tmpName: string): IngestCheckpoint {
  return { localPath, sourceSize: stat.size, sourceMtimeMs: stat.mtimeMs, bytesDone, prefixDigest: hash.copy().digest('hex'), upload: { tmpName } };
}

function missingBlob(digest: string, err: unknown): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new IntegrityError(`Blob ${digest} is missing from the store. The store was changed outside this tool; re-log the artifact to restore it.`);
  return err as Error;
}
