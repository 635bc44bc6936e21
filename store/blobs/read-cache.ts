import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { hasherFor, type StreamHasher } from './digest';
import { blobPath, listBlobs } from './blob-layout';
import { StorageFullError } from '../../errors';
import { ownedTempName, removeDeadOwners } from '../owned-temps';
import { errnoOf, isDiskFull } from '../../errors/file-errors';
import { writeAll, writeAllSync } from './write-all';

/**
 * A new file written on the thread pool in WRITE_PIECE calls (write-all.ts), created exclusively and readable by its
 * owner only.
 */
async function writeFileWhole(file: string, bytes: Uint8Array): Promise<void> {
  const fd = await promisify(fs.open)(file, 'wx', 0o600);
  try {
    await writeAll(fd, bytes, 0);
  } finally {
    await promisify(fs.close)(fd);
  }
}

/** Cached blobs up to this size are read whole and checked before a byte is served; larger ones are hashed first, then streamed. */
const WHOLE = 16 << 20;
const CHUNK = 8 << 20;
/** The kind of the cache's temp names (see store/owned-temps.ts). */
const CACHE_TEMP = 'entry-';

/**
 * A local cache of a remote store's blobs, shared by every process of the data folder: `<root>/<algorithm>/ab/cdef...`.
 * Safe under concurrent processes without locks: an entry is written to a temp file and renamed into place only
 * once its bytes hash to its digest, so nobody sees a partial or wrong entry appear; a hit is hashed again before
 * it is served, and an entry found damaged is removed and not served. Size-capped, least recently used first: a
 * hit touches the entry's mtime, and when the cache grows past its cap the oldest entries are deleted (a reader
 * that already opened one keeps reading it).
 */
export class ReadCache {
  private readonly tmpDir: string;
  private addedSinceSweep = 0;
  private tmpReady = false;

  constructor(readonly root: string, readonly maxBytes: number) {
    this.tmpDir = path.join(root, 'tmp');
  }

  pathOf(digest: string): string {
    return blobPath(this.root, digest);
  }

  /** The cached bytes of `digest`, checked, or undefined when there are none (or they were damaged: then removed). */
  async get(digest: string): Promise<AsyncIterable<Buffer> | undefined> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(digest), 'r');
    } catch {
      return undefined;
    }
    let keep = false;
    try {
      const { size } = await handle.stat();
      if (size <= WHOLE) {
        const bytes = await handle.readFile();
        if (!this.matches(digest, hasherFor(digest).update(bytes).digest())) return undefined;
        this.touch(digest);
        return (async function* () {
          yield bytes;
        })();
      }
      if (!this.matches(digest, await hashHandle(handle, digest))) return undefined;
      this.touch(digest);
      keep = true;
      return streamHandle(handle);
    } finally {
      if (!keep) await handle.close();
    }
  }

  /**
   * A small entry's bytes (up to `most`), read and checked in one synchronous call: a manifest chunk of a few KiB
   * then costs tens of microseconds, where `get`'s four round trips through the thread pool cost far more (a download
   * beside another version reads a hundred such chunks). Undefined when missing or damaged (removed, as
   * `get` does); `larger` when it holds more than `most` bytes (read it with `get`).
   */
  getSmall(digest: string, most: number): Buffer | undefined | 'larger' {
    let fd: number;
    try {
      fd = fs.openSync(this.pathOf(digest), 'r');
    } catch {
      return undefined;
    }
    let bytes: Buffer;
    try {
      const { size } = fs.fstatSync(fd);
      if (size > most) return 'larger';
      bytes = Buffer.allocUnsafe(size);
      let got = 0;
      for (let n = -1; got < size && n !== 0; got += n) n = fs.readSync(fd, bytes, got, size - got, got);
      if (got !== size) return undefined;
    } finally {
      fs.closeSync(fd);
    }
    if (!this.matches(digest, hasherFor(digest).update(bytes).digest())) return undefined;
    this.touch(digest);
    return bytes;
  }

  /** Removes an entry (its blob was deleted, or found damaged by a reader). */
  async drop(digest: string): Promise<void> {
    await fsp.rm(this.pathOf(digest), { force: true });
  }

  /** Starts the entry of `digest`: write its bytes as they arrive, then `commit` (kept only if they hash to it) or `abandon`. */
  writer(digest: string): CacheWriter {
    return new CacheWriter(this.newTemp(), this, digest);
  }

  /**
   * Keeps bytes the caller has already checked against `digest` (a remote store's `getBytes` checks what it
   * returns), written off the main thread: a temp file, then renamed into place. Bytes over the cap are not kept.
   */
  async putChecked(digest: string, bytes: Uint8Array): Promise<void> {
    if (bytes.length > this.maxBytes) return;
    const tmp = this.newTemp();
    try {
      try {
        await writeFileWhole(tmp, bytes);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await fsp.mkdir(this.tmpDir, { recursive: true });
        await writeFileWhole(tmp, bytes);
      }
      const final = this.pathOf(digest);
      try {
        await fsp.rename(tmp, final);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await fsp.mkdir(path.dirname(final), { recursive: true });
        await fsp.rename(tmp, final);
      }
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw this.failure(err);
    }
    await this.added(bytes.length);
  }

  /**
   * Where a blob of `size` bytes is written (a fresh temp name) and its entry, whose folder is made; undefined when it
   * is larger than the cache. Whoever writes it renames the temp file to the entry only once its bytes matched, and
   * then calls `added`.
   */
  slotFor(digest: string, size: number): { readonly tmp: string; readonly entry: string } | undefined {
    if (size > this.maxBytes) return undefined;
    const entry = this.pathOf(digest);
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    return { tmp: this.newTemp(), entry };
  }

  /** A full disk as one sentence naming the cache and what to do; any other error unchanged. */
  failure(err: unknown): unknown {
    const code = errnoOf(err)?.code;
    if (!isDiskFull(code)) return err;
    return new StorageFullError(this.root, null, code!, 'free space there, or set ARTIFACTS_CACHE_MAX_BYTES lower (0 turns the read cache off), then try again.');
  }

  /**
   * A fresh temp name. The first time in a process, the temp folder is made and cleared of what writers killed
   * mid-write on this host left there (see store/owned-temps.ts: live writers' temp files stay).
   */
  private newTemp(): string {
    if (!this.tmpReady) {
      this.tmpReady = true;
      fs.mkdirSync(this.tmpDir, { recursive: true });
      removeDeadOwners(this.tmpDir, CACHE_TEMP);
    }
    return path.join(this.tmpDir, ownedTempName(CACHE_TEMP));
  }

  /** Called by a writer whose entry was committed: sweeps once a twentieth of the cap was added since the last sweep. */
  async added(bytes: number): Promise<void> {
    this.addedSinceSweep += bytes;
    if (this.addedSinceSweep < this.maxBytes / 20) return;
    this.addedSinceSweep = 0;
    await this.sweep();
  }

  /** Deletes the least recently used entries until the cache is under 90% of its cap. */
  async sweep(): Promise<void> {
    const entries: { file: string; size: number; mtimeMs: number }[] = [];
    for await (const digest of listBlobs(this.root)) {
      const file = this.pathOf(digest);
      const st = await fsp.stat(file).catch(() => undefined);
      if (st) entries.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    }
    let total = entries.reduce((n, e) => n + e.size, 0);
    if (total <= this.maxBytes) return;
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const e of entries) {
      if (total <= this.maxBytes * 0.9) break;
      await fsp.rm(e.file, { force: true });
      total -= e.size;
    }
  }

  private matches(digest: string, actual: string): boolean {
    if (actual === digest) return true;
    fs.rmSync(this.pathOf(digest), { force: true });
    return false;
  }

  private touch(digest: string): void {
    const now = new Date();
    try {
      fs.utimesSync(this.pathOf(digest), now, now);
    } catch {
      // Evicted meanwhile: the bytes already read are still good.
    }
  }
}

/** One entry being written to the cache. */
export class CacheWriter {
  private readonly fd: number;
  private readonly hash: StreamHasher;
  private size = 0;
  private open = true;

  constructor(private readonly tmp: string, private readonly cache: ReadCache, private readonly digest: string) {
    try {
      this.fd = fs.openSync(tmp, 'wx', 0o600);
    } catch (err) {
      throw cache.failure(err);
    }
    this.hash = hasherFor(digest);
  }

  write(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    try {
      writeAllSync(this.fd, chunk, 0, chunk.length, null);
    } catch (err) {
      throw this.cache.failure(err);
    }
  }

  /** Renames the entry into place if its bytes hash to its digest and it fits the cache; else drops it. */
  async commit(): Promise<void> {
    this.close();
    const digest = this.digest;
    if (this.hash.digest() !== digest || this.size > this.cache.maxBytes) {
      fs.rmSync(this.tmp, { force: true });
      return;
    }
    const final = this.cache.pathOf(digest);
    fs.mkdirSync(path.dirname(final), { recursive: true });
    fs.renameSync(this.tmp, final);
    await this.cache.added(this.size);
  }

  abandon(): void {
    if (!this.open) return;
    this.close();
    fs.rmSync(this.tmp, { force: true });
  }

  private close(): void {
    if (!this.open) return;
    this.open = false;
    fs.closeSync(this.fd);
  }
}

async function hashHandle(handle: fsp.FileHandle, like: string): Promise<string> {
  const hash = hasherFor(like);
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false, highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  return hash.digest();
}

async function* streamHandle(handle: fsp.FileHandle): AsyncIterable<Buffer> {
  try {
    for await (const chunk of handle.createReadStream({ start: 0, autoClose: false, highWaterMark: CHUNK })) yield chunk as Buffer;
  } finally {
    await handle.close();
  }
}
