import os from 'node:os';
import type { IngestCheckpoint, IngestResult } from '../blobs/blob-store';
import { blake3 } from '../blobs/digest';
import type { ManifestEntry, ManifestRef } from '../manifest/manifest';
import { OrderedWriter } from './ordered-writer';
import type { SourceEntry } from './source-stream';
import { comparePaths } from '../paths';
import type { Store } from '../store';
import { BatchedFile, SmallFileBatches, TaskPool } from './ingest-pool';
import { referenceEntry, type FileSource, type Source } from './sources';
import type { DoneFile, StageOptions, StageResult } from './stage-types';

/** Files at least this large are ingested concurrently (each hashes on its own core), and remembered in progress once stored so a retry skips them. */
const LARGE = 4 << 20;
/** Ingests in flight: one more than the cores, so a worker that finishes finds its next job already queued. */
const CONCURRENCY = Math.max(2, os.availableParallelism()) + 1;
const MAX_DONE = 2000;
/** Fewer small files than this are ingested inline on the calling thread. */
const MIN_BATCHED = 64;
/** How often (ms) the walk over entries reports progress and lets heartbeats and cancellation through. */
const BREATHE_MS = 100;

/** Entries stored ahead of the first one still being stored, at most: what the reordering may hold in memory. */
const MAX_AHEAD = 16_384;
/** How often (ms) the manifest writer's state is saved, so a retry resumes from there. */
const CHECKPOINT_MS = 2000;

/** A stored file's manifest entry, waiting for its turn in path order (a class: see "Memory" in the README). */
class StagedEntry implements ManifestEntry {
  constructor(
    readonly path: string,
    readonly digest: string,
    readonly size: number,
  ) {}
}

/**
 * One staging run over a stream of sources in path order: each entry is stored inline (values, references, small
 * files until there are many), by the pool (large files), or in a batch on the store's worker threads (many small
 * files); the results go into the manifest in path order (OrderedWriter). Memory holds the entries in flight, never
 * the list of all files. It counts what it wrote and reports progress, with the cursor a retry resumes from.
 */
export class Staging {
  private readonly done: ReadonlyMap<string, DoneFile>;
  /** Large files stored by this attempt, with their entry path (pruned to those past the cursor at each report). */
  private doneList: (DoneFile & { readonly path: string })[] = [];
  private readonly inFlight = new Map<string, IngestCheckpoint | undefined>();
  private readonly pool = new TaskPool(CONCURRENCY);
  private batches: SmallFileBatches | undefined;
  private smallFiles = 0;
  private handedOut = 0;
  private filesTotal = 0;
  private bytesTotal = 0;
  private filesDone = 0;
  private bytesDone = 0;
  private bytesWritten = 0;
  private resumedBytes = 0;
  private partsSent = 0;
  private lastBreath = Date.now();

  private constructor(private readonly store: Store, private readonly options: StageOptions, private readonly output: OrderedWriter) {
    this.done = new Map((options.resume?.done ?? []).map((d) => [d.local, d]));
    const inherited = output.totals;
    this.filesTotal = this.filesDone = inherited.files;
    this.bytesTotal = this.bytesDone = this.resumedBytes = inherited.bytes;
  }

  /** A staging that writes a new manifest, or carries on the one an earlier attempt's cursor names. */
  static async open(store: Store, options: StageOptions): Promise<Staging> {
    const made: { staging?: Staging } = {};
    const output = await OrderedWriter.open(store.blobs, options.resume?.cursor, { ms: CHECKPOINT_MS, onCheckpoint: () => made.staging?.report() });
    made.staging = new Staging(store, options, output);
    return made.staging;
  }

  /** Stores every entry of `sources` and returns the manifest, or throws the first failure once in-flight work settled. */
  async storeAll(sources: Iterable<SourceEntry>): Promise<ManifestRef> {
    try {
      for (const [entryPath, source] of sources) {
        if (this.pool.failed || this.output.failed) break;
        if (this.options.signal?.aborted) throw this.options.signal.reason ?? new Error('staging cancelled');
        this.filesTotal++;
        this.bytesTotal += source.size;
        const index = this.handedOut++;
        if (await this.storeOrSchedule(index, entryPath, source)) this.finished(source);
        await this.holdBack();
        await this.breathe();
      }
    } catch (err) {
      // A walk that fails midway (an unreadable folder, a file/folder clash) ends the staging once in-flight work settled.
      await this.pool.drain().catch(() => undefined);
      throw err;
    }
    if (!this.pool.failed) await this.batches?.flushAll();
    await this.pool.drain();
    const manifest = await this.output.finish();
    this.report();
    return manifest;
  }

  totals(): Pick<StageResult, 'bytes' | 'bytesWritten' | 'resumedBytes' | 'partsSent'> {
    return { bytes: this.bytesTotal, bytesWritten: this.bytesWritten, resumedBytes: this.resumedBytes, partsSent: this.partsSent };
  }

  /** Waits while too many entries finished ahead of one still being stored (sending half-filled batches on). */
  private async holdBack(): Promise<void> {
    while (this.output.behind(this.handedOut) > MAX_AHEAD && !this.pool.failed && !this.output.failed) {
      await this.batches?.flushAll();
      await Promise.race([this.output.progressed(), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  }

  /**
   * Small files go to worker threads in batches when the store offers it, once there are enough of them to be
   * worth it (a handful, an incremental draft's, is quicker inline); a read-rate cap keeps them on the per-file
   * path, which honours it.
   */
  private batchesIfWorthIt(): SmallFileBatches | undefined {
    if (this.batches) return this.batches;
    const ingestFiles = this.store.blobs.ingestFiles?.bind(this.store.blobs);
    if (!ingestFiles || this.options.maxBytesPerSecond || ++this.smallFiles < MIN_BATCHED) return undefined;
    return (this.batches = new SmallFileBatches(this.pool, (batch, hardLink) => this.ingestBatch(ingestFiles, batch, hardLink)));
  }

  /** Stores one entry now (true), or hands it to the pool or a batch, which count it once stored (false). */
  private async storeOrSchedule(index: number, entryPath: string, source: Source): Promise<boolean> {
    switch (source.kind) {
      case 'value':
        this.output.put(index, await this.storeValue(entryPath, source.json));
        return true;
      case 'ref':
        this.output.put(index, await referenceEntry(entryPath, source.uri, source.checksum));
        return true;
      case 'file':
        return this.storeOrScheduleFile(index, entryPath, source);
    }
  }

  private async storeOrScheduleFile(index: number, entryPath: string, source: FileSource): Promise<boolean> {
    if (await this.takeOverDone(index, entryPath, source)) return true;
    if (source.size >= LARGE) {
      await this.pool.schedule(() => this.ingestLarge(index, entryPath, source));
      return false;
    }
    const batches = this.batchesIfWorthIt();
    if (batches) {
      await batches.add(new BatchedFile(index, entryPath, source));
      return false;
    }
    this.record(index, entryPath, await this.store.blobs.ingestFile(source.local, this.ingestOptions(source)));
    return true;
  }

  private async storeValue(entryPath: string, json: string): Promise<ManifestEntry> {
    const bytes = Buffer.from(json);
    const existed = await this.store.blobs.has(blake3(bytes));
    const digest = await this.store.blobs.putBytes(bytes);
    if (!existed) this.bytesWritten += bytes.length;
    return { path: entryPath, digest, size: bytes.length };
  }

  /** A large file an earlier attempt stored, unchanged since and still in the store, is not read again. */
  private async takeOverDone(index: number, entryPath: string, source: FileSource): Promise<boolean> {
    const prior = this.done.get(source.local);
    if (!prior || prior.size !== source.size || prior.mtimeMs !== source.mtimeMs || !(await this.store.blobs.has(prior.digest))) return false;
    this.output.put(index, { path: entryPath, digest: prior.digest, size: prior.size });
    this.resumedBytes += prior.size;
    return true;
  }

  private async ingestLarge(index: number, entryPath: string, source: FileSource): Promise<void> {
    this.inFlight.set(source.local, undefined);
    try {
      const result = await this.store.blobs.ingestFile(source.local, {
        ...this.ingestOptions(source),
        resume: this.options.resume?.checkpoints?.find((c) => c.localPath === source.local),
        onCheckpoint: (cp) => {
          this.inFlight.set(source.local, cp);
          this.report();
        },
      });
      this.record(index, entryPath, result);
      this.resumedBytes += result.resumedBytes;
      if (this.doneList.length < MAX_DONE) this.doneList.push({ path: entryPath, local: source.local, size: source.size, mtimeMs: source.mtimeMs, digest: result.digest });
      this.finished(source);
    } finally {
      this.inFlight.delete(source.local);
    }
  }

  private async ingestBatch(ingestFiles: NonNullable<Store['blobs']['ingestFiles']>, batch: readonly BatchedFile[], hardLink: boolean): Promise<void> {
    const results = await ingestFiles(batch.map((p) => p.source.local), { signal: this.options.signal, hardLinkIntoStore: hardLink });
    for (const [i, { index, entryPath, source }] of batch.entries()) {
      this.record(index, entryPath, results[i]!);
      this.finished(source);
    }
  }

  private ingestOptions(source: FileSource): { maxBytesPerSecond: number | undefined; signal: AbortSignal | undefined; hardLinkIntoStore: boolean } {
    return { maxBytesPerSecond: this.options.maxBytesPerSecond, signal: this.options.signal, hardLinkIntoStore: source.hardLink };
  }

  private record(index: number, entryPath: string, result: IngestResult): void {
    this.output.put(index, new StagedEntry(entryPath, result.digest, result.size));
    this.bytesWritten += result.bytesWritten;
    this.partsSent += result.partsSent ?? 0;
  }

  private finished(source: Source): void {
    this.filesDone++;
    this.bytesDone += source.size;
  }

  private async breathe(): Promise<void> {
    if (Date.now() - this.lastBreath <= BREATHE_MS) return;
    this.report();
    await new Promise((resolve) => setImmediate(resolve));
    this.lastBreath = Date.now();
  }

  /** Heartbeat-sized progress: in-flight large files, large files stored past the cursor, and the cursor. */
  report(): void {
    const cursor = this.output.cursor;
    if (cursor) this.doneList = this.doneList.filter((d) => comparePaths(d.path, cursor.path) > 0);
    const checkpoints = [...this.inFlight.values()].filter((c): c is IngestCheckpoint => c !== undefined);
    const partial = checkpoints.reduce((n, c) => n + c.bytesDone, 0);
    const done = this.doneList.map(({ local, size, mtimeMs, digest }) => ({ local, size, mtimeMs, digest }));
    this.options.onProgress?.({
      filesDone: this.filesDone, filesTotal: this.filesTotal, bytesDone: this.bytesDone + partial, bytesTotal: this.bytesTotal, checkpoints, done, ...(cursor ? { cursor } : {}),
    });
  }
}
