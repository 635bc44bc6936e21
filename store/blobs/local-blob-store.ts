import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { BatchIngestOptions, BlobStore, IngestOptions, IngestResult } from './blob-store';
import { CheckpointKeepAlive } from './checkpoint-keep-alive';
import { ingestPool } from './hash-copy-pool';
import { readFrom, readSourceSnapshot, statSourceFile } from './source-file';
import { reusableBlob } from './blob-freshness';
import { blake3, bytesMatch, CHUNK_BYTES, hashChunks, hasherFor, hashFile } from './digest';
import { concatAll, hasChunked, isChunked, listBlobOf, readChunked, setAsideDamagedChunks } from './chunked-files';
import { ingestChunked } from './chunked-ingest';
import { blobPath, CHUNK_TEMP, listBlobs, makeShardFolders } from './blob-layout';
import { removeDeadOwners } from '../owned-temps';
import { RateLimiter } from './rate-limiter';
import { IntegrityError, LocalFileError } from '../../errors';
import { storingFailure } from './file-failures';

/** Files up to this size are read whole and written with one call: the fast path for many small files. */
const SMALL_FILE = 1 << 20;
const CHUNK = 8 << 20;
const readAsync = promisify(fs.read);
/** How often a large ingest reports a resumable checkpoint. */
const CHECKPOINT_BYTES = 32 << 20;
/** Files up to this size are copied by the kernel while a worker hashes them: about a second to redo after a crash. */
const KERNEL_COPY_MAX = 1 << 30;

/** Starts the ingest threads ahead of the first upload (a process that runs a worker will ingest); resolves once they are up. */
export function prestartIngestThreads(): Promise<void> {
  return ingestPool.prestart();
}

/**
 * One small file's result from a batch. A class rather than an object literal: results outlive young-generation
 * collections while the staging puts them in order, and V8 would then allocate every later literal of that site
 * straight into the old generation (store/staging/README.md, "Memory").
 */
class BatchedResult implements IngestResult {
  readonly resumedBytes = 0;
  constructor(
    readonly digest: string,
    readonly size: number,
    readonly bytesWritten: number,
  ) {}
}

/**
 * The embedded blob store: `<root>/<algorithm>/ab/cdef...` on the local filesystem (see blob-layout.ts). Blobs are written to
 * `<root>/tmp` and renamed into place, so a crash leaves at most an orphaned temp file, never a partial blob: a chunk's
 * is removed when a store next opens on this host (CHUNK_TEMP), a whole file's is resumed or swept by gc.
 */
export class LocalBlobStore implements BlobStore {
  readonly location: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.location = root;
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    removeDeadOwners(this.tmpDir, CHUNK_TEMP);
    makeShardFolders(root);
  }

  pathOf(digest: string): string {
    return blobPath(this.root, digest);
  }

  async has(digest: string): Promise<boolean> {
    if (fs.existsSync(this.pathOf(digest))) return true;
    return isChunked(digest) && hasChunked(this, digest);
  }

  /**
   * A file larger than a chunk is stored as chunks plus their list (see chunked-ingest.ts), or, when it was hard-linked
   * into the store, whole under its `blake3c` digest (a link cannot be cut into chunks): reads look for that first.
   */
  private storedAsChunks(digest: string): boolean {
    return isChunked(digest) && !fs.existsSync(this.pathOf(digest));
  }

  async putBytes(bytes: Uint8Array): Promise<string> {
    const digest = blake3(bytes);
    this.putSync(digest, bytes, null);
    return digest;
  }

  /** Stores bytes (of `localPath`, or of a manifest or spec when null) unless present; true when it wrote them. */
  private putSync(digest: string, bytes: Uint8Array, localPath: string | null): boolean {
    const final = this.pathOf(digest);
    if (reusableBlob(final, bytes.length)) return false;
    const tmp = path.join(this.tmpDir, randomUUID());
    try {
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, final);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw storingFailure(err, this.root, localPath);
    }
    return true;
  }

  /**
   * A blob's bytes, checked against its digest: most blobs read whole are manifest chunks, and one changed in place
   * would otherwise name paths and digests the version does not hold (a download would write a file where none
   * belongs).
   */
  async getBytes(digest: string): Promise<Buffer> {
    return this.checked(digest, await this.readWhole(digest));
  }

  /** As getBytes, read synchronously: for a blob stored whole (a manifest chunk), never one stored as chunks. */
  getBytesSync(digest: string): Buffer {
    try {
      return this.checked(digest, fs.readFileSync(this.pathOf(digest)));
    } catch (err) {
      throw missingBlob(digest, err);
    }
  }

  private checked(digest: string, bytes: Buffer): Buffer {
    if (bytesMatch(bytes, digest)) return bytes;
    throw new IntegrityError(`Blob ${digest} in ${this.root} holds bytes that hash to ${hasherFor(digest).update(bytes).digest()}: it was changed outside this tool. ` +
      'Run `artifacts verify` on the versions that use it, and re-log them to restore it.');
  }

  private async readWhole(digest: string): Promise<Buffer> {
    if (this.storedAsChunks(digest)) return concatAll(readChunked(this, digest));
    // Most blobs read whole are manifest chunks of tens of KiB: one synchronous read costs tens of microseconds where
    // the promise road's open, stat, read and close round trips through the thread pool cost milliseconds (a
    // 20,000-entry manifest took 350 ms to read, mostly waiting). A blob over one chunk (a file stored whole before
    // chunking) is read the promise way, so the event loop never waits for it.
    const file = this.pathOf(digest);
    try {
      return fs.statSync(file).size <= CHUNK_BYTES ? fs.readFileSync(file) : await fsp.readFile(file);
    } catch (err) {
      throw missingBlob(digest, err);
    }
  }

  async ingestFile(localPath: string, options: IngestOptions = {}): Promise<IngestResult> {
    const stat = statSourceFile(localPath);
    if (stat.size <= SMALL_FILE && !options.hardLinkIntoStore) {
      const bytes = readSourceSnapshot(localPath);
      await new RateLimiter(options.maxBytesPerSecond).take(bytes.length);
      const digest = blake3(bytes);
      const wrote = this.putSync(digest, bytes, localPath);
      return { digest, size: bytes.length, bytesWritten: wrote ? bytes.length : 0, resumedBytes: 0 };
    }
    if (stat.size > CHUNK_BYTES && !options.hardLinkIntoStore) return this.ingestAsChunks(localPath, stat, options);
    return this.ingestLarge(localPath, stat, options);
  }

  /** A file larger than a chunk: its chunks the store lacks, then its chunk list (see chunked-ingest.ts). */
  private async ingestAsChunks(localPath: string, stat: fs.Stats, options: IngestOptions): Promise<IngestResult> {
    const keepAlive = new CheckpointKeepAlive(localPath, stat, options);
    try {
      const sink = { kind: 'local' as const, blobRoot: this.root, tmpDir: this.tmpDir };
      const done = await ingestChunked(ingestPool, localPath, stat, sink, options, keepAlive.report);
      // The list is metadata, like a manifest chunk: bytesWritten counts the file's own bytes.
      this.putSync(listBlobOf(done.digest), done.list, localPath);
      // After a crash, the chunks an earlier attempt stored are found and kept: that is what this ingest resumed.
      const resumedBytes = options.resume ? done.bytesPresent : 0;
      return { digest: done.digest, size: done.size, bytesWritten: done.bytesWritten, resumedBytes, chunks: done.chunks };
    } catch (err) {
      throw this.workerFailure(err);
    } finally {
      keepAlive.stop();
    }
  }

  private async ingestLarge(localPath: string, stat: fs.Stats, options: IngestOptions): Promise<IngestResult> {
    const tmpName = randomUUID();
    const tmpPath = path.join(this.tmpDir, tmpName);
    const job = {
      localPath, tmpPath, tmpName, sourceSize: stat.size, sourceMtimeMs: stat.mtimeMs, resume: options.resume,
      maxBytesPerSecond: options.maxBytesPerSecond, checkpointBytes: CHECKPOINT_BYTES, chunkBytes: CHUNK,
      kind: 'large' as const, hardLink: options.hardLinkIntoStore === true, kernelCopyMaxBytes: KERNEL_COPY_MAX,
    };
    let result: { digest: string; size: number; resumedBytes: number };
    // Reported every second even between checkpoints (a capped rate can put half a minute between them), so the
    // caller's heartbeats go on and a cancellation reaches this ingest within about a second.
    const keepAlive = new CheckpointKeepAlive(localPath, stat, options);
    try {
      const m = await ingestPool.run(job, keepAlive.report, options.signal);
      if (m.type !== 'done') throw new Error(`unexpected ${m.type} from a large-file ingest`);
      result = m;
    } catch (err) {
      throw this.workerFailure(err);
    } finally {
      keepAlive.stop();
    }
    if (result.size !== stat.size) {
      await fsp.rm(tmpPath, { force: true });
      throw new LocalFileError(localPath, `it changed size while being read (${stat.size} -> ${result.size} bytes)`);
    }
    const final = this.pathOf(result.digest);
    if (reusableBlob(final, result.size)) await fsp.rm(tmpPath, { force: true });
    else await fsp.rename(tmpPath, final);
    return { digest: result.digest, size: result.size, bytesWritten: result.size - result.resumedBytes, resumedBytes: result.resumedBytes };
  }

  /**
   * Small files in one batch on a worker thread: each is read once, hashed, and written to a temp file renamed to
   * its blob. Several batches in flight use every core.
   */
  async ingestFiles(localPaths: readonly string[], options: BatchIngestOptions = {}): Promise<IngestResult[]> {
    const job = { kind: 'small' as const, blobRoot: this.root, tmpDir: this.tmpDir, files: localPaths, hardLink: options.hardLinkIntoStore === true };
    let m;
    try {
      m = await ingestPool.run(job, undefined, options.signal);
    } catch (err) {
      throw this.workerFailure(err);
    }
    if (m.type !== 'batch-done') throw new Error(`unexpected ${m.type} from a small-file batch`);
    return m.results.map((r) => new BatchedResult(r.digest, r.size, r.wrote ? r.size : 0));
  }

  async *read(digest: string): AsyncIterable<Buffer> {
    if (this.storedAsChunks(digest)) {
      yield* readChunked(this, digest);
      return;
    }
    let fd: number;
    try {
      fd = fs.openSync(this.pathOf(digest), 'r');
    } catch (err) {
      throw missingBlob(digest, err);
    }
    try {
      // A small blob is read whole, here: an 8 MiB stream buffer and a thread-pool trip per file would make
      // reading many small files crawl.
      const size = fs.fstatSync(fd).size;
      if (size <= SMALL_FILE) {
        yield readFrom(fd, size, Buffer.allocUnsafe(size));
        return;
      }
      // Not a ReadStream on `fd`: a reader that stops early destroys the stream, which closes `fd` itself, and the
      // close below would then close it twice (or close a descriptor another file got meanwhile). The size its stat
      // gave is read, as for a small blob, in buffers no larger than what is left (a 4 MiB chunk: one read, one buffer).
      for (let pos = 0; pos < size;) {
        const want = Math.min(CHUNK, size - pos);
        const { bytesRead, buffer } = await readAsync(fd, Buffer.allocUnsafe(want), 0, want, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  async hashStored(digest: string): Promise<string> {
    return (await hashChunks(this.read(digest), digest)).digest;
  }

  async setAsideDamaged(digest: string): Promise<void> {
    if (this.storedAsChunks(digest)) return setAsideDamagedChunks(this, digest);
    const final = this.pathOf(digest);
    const aside = path.join(this.root, 'damaged', `${digest}-${randomUUID().slice(0, 8)}`);
    await fsp.mkdir(path.dirname(aside), { recursive: true });
    try {
      await fsp.rename(final, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    // An ingest may have rewritten the blob between the read that found it damaged and the move: put it back.
    if ((await hashFile(aside, digest)).digest === digest) {
      await fsp.link(aside, final).catch(() => undefined);
      await fsp.rm(aside, { force: true });
    }
  }

  async *list(): AsyncIterable<string> {
    yield* listBlobs(this.root);
  }

  async delete(digest: string): Promise<void> {
    await fsp.rm(this.pathOf(digest), { force: true });
  }

  /** An ingest thread's file error, as the user-facing error naming the file (the thread says which one it was on). */
  private workerFailure(err: unknown): unknown {
    const localPath = (err as { localPath?: unknown }).localPath;
    return typeof localPath === 'string' ? storingFailure(err, this.root, localPath) : err;
  }
}

function missingBlob(digest: string, err: unknown): Error {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new IntegrityError(`Blob ${digest} is missing from the store. The store was changed outside this tool; re-log the artifact to restore it.`);
  return err as Error;
}
