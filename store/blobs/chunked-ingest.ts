import fs from 'node:fs';
import type { IngestCheckpoint, IngestOptions } from './blob-store';
import type { ChunkDone, ChunkJob } from './chunk-job';
import { CHUNK_BYTES, chunkedDigest, chunkListBytes } from './digest';
import type { HashCopyPool } from './hash-copy-pool';
import { RateLimiter } from './rate-limiter';
import { LocalFileError } from '../../errors';
import { changedWhileRead, mayHideChange, sameSource, SOURCE_CHANGED, sourceState, type SourceState } from './source-file';

/** Where the chunks go: written by the threads into a local store, or handed back and sent by `send`. */
export type ChunkSink =
  | { readonly kind: 'local'; readonly blobRoot: string; readonly tmpDir: string }
  | { readonly kind: 'upload'; send(digest: string, bytes: Uint8Array): Promise<boolean>; readonly inFlight: number };

export interface ChunkedIngest {
  /** `blake3c:<hex>`: the file's digest; its chunk list is to be stored as a blob under `blake3:<hex>`. */
  readonly digest: string;
  readonly list: Buffer;
  readonly size: number;
  readonly chunks: number;
  /** Bytes of the chunks this ingest stored, and of those the store held already. */
  readonly bytesWritten: number;
  readonly bytesPresent: number;
}

/**
 * Stores a large file as CHUNK_BYTES chunks: every chunk is read once, hashed and written (or uploaded) from the same
 * buffer, on every ingest thread at once, and only the chunks the store lacks are written. Nothing here needs
 * resuming state: after a crash, the chunks already stored are found by digest and not written again (the file is
 * read and hashed again, which costs a fraction of writing it). A file written to meanwhile is refused.
 */
export async function ingestChunked(pool: HashCopyPool, localPath: string, stat: fs.Stats, sink: ChunkSink, options: IngestOptions,
  report: (c: IngestCheckpoint) => void): Promise<ChunkedIngest> {
  const fd = fs.openSync(localPath, 'r');
  try {
    const before = sourceState(fd);
    const count = Math.max(1, Math.ceil(stat.size / CHUNK_BYTES));
    const sizeChanged = (): LocalFileError | undefined => {
      const sizeNow = Number(sourceState(fd).size);
      return sizeNow === stat.size ? undefined : new LocalFileError(localPath, `it changed size while being read (${stat.size} -> ${sizeNow} bytes)`);
    };
    const done = await runChunks(pool, localPath, count, stat.size, sink, options, (bytesDone) => report(
      { localPath, sourceSize: stat.size, sourceMtimeMs: stat.mtimeMs, bytesDone, prefixDigest: '', upload: { chunked: true } }))
      // A chunk that found the file changed (or ended early) says so; when its size moved, that is the better reason.
      .catch((err: unknown) => {
        throw ((err as NodeJS.ErrnoException).code === SOURCE_CHANGED && sizeChanged()) || err;
      });
    const chunks = done.map((d) => ({ digest: d.digest, size: d.size }));
    const resized = sizeChanged();
    if (resized) throw resized;
    if (!(await unchanged(pool, localPath, fd, before, chunks, options))) throw changedWhileRead(localPath);
    const bytesWritten = done.reduce((n, d) => n + (d.wrote ? d.size : 0), 0);
    return { digest: chunkedDigest(chunks), list: chunkListBytes(chunks), size: stat.size, chunks: count, bytesWritten, bytesPresent: stat.size - bytesWritten };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs the chunk jobs with a bounded window in flight (bounded memory for uploads); results in file order. After a
 * failure no new chunk starts, and it is thrown once the chunks in flight have ended: nothing of this ingest is still
 * being written (no temp file, no upload) when its caller hears of the failure.
 */
async function runChunks(pool: HashCopyPool, localPath: string, count: number, size: number, sink: ChunkSink, options: IngestOptions,
  progress: (bytesDone: number) => void): Promise<ChunkDone[]> {
  const results = new Array<ChunkDone>(count);
  const limiter = options.maxBytesPerSecond ? new RateLimiter(options.maxBytesPerSecond) : undefined;
  const window = sink.kind === 'local' ? pool.size * 2 : Math.max(pool.size * 2, sink.inFlight);
  let next = 0;
  let contiguous = 0;
  // A local chunk is streamed (written while it is hashed, see chunk-job.ts) while the store lacked every chunk so
  // far; once one was there already (a new version of the file, a resumed ingest) the rest are hashed first and
  // written only if absent, so unchanged chunks cost no writes. (With the native helper every local chunk is hashed
  // first: its copy is the kernel's, made after the hash.)
  let streamed = sink.kind === 'local' && !options.resume;
  let failure: { readonly error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    try {
      await runLane();
    } catch (error) {
      failure ??= { error };
    }
  };
  const runLane = async (): Promise<void> => {
    while (next < count && !failure) {
      stopIfAborted(options.signal);
      const i = next++;
      const offset = i * CHUNK_BYTES;
      const length = Math.min(CHUNK_BYTES, size - offset);
      if (limiter) await limiter.take(length);
      stopIfAborted(options.signal);
      const done = await oneChunk(pool, { kind: 'chunk', localPath, offset, length, store: sink.kind === 'local' ? sink : undefined, streamed }, sink, options.signal);
      if (!done.wrote) streamed = false;
      results[i] = done;
      let advanced = false;
      while (contiguous < count && results[contiguous]) {
        contiguous++;
        advanced = true;
      }
      if (advanced && !options.signal?.aborted) progress(Math.min(size, contiguous * CHUNK_BYTES));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  if (failure) throw failure.error;
  return results;
}

async function oneChunk(pool: HashCopyPool, job: ChunkJob, sink: ChunkSink, signal: AbortSignal | undefined): Promise<ChunkDone> {
  const m = await pool.run(job, undefined, signal);
  if (m.type !== 'chunk-done') throw new Error(`unexpected ${m.type} from a chunk job`);
  if (sink.kind === 'local' || !m.bytes) return m;
  const wrote = await sink.send(m.digest, m.bytes);
  return { type: 'chunk-done', digest: m.digest, size: m.size, wrote };
}

/**
 * Whether the file still looks as it did before the first chunk was read and, when a write could hide from its
 * times, still hashes to the same chunks (read again, hashing only): the chunks are one snapshot of the file.
 */
async function unchanged(pool: HashCopyPool, localPath: string, fd: number, before: SourceState, chunks: readonly { digest: string; size: number }[],
  options: IngestOptions): Promise<boolean> {
  if (!sameSource(before, sourceState(fd))) return false;
  if (!mayHideChange(before)) return true;
  const again = await Promise.all(chunks.map((c, i) => pool.run({ kind: 'chunk', localPath, offset: i * CHUNK_BYTES, length: c.size, hashOnly: true }, undefined, options.signal)));
  return again.every((m, i) => m.type === 'chunk-done' && m.digest === chunks[i]!.digest);
}

function stopIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('ingest cancelled');
}
