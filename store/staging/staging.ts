import os from 'node:os';
import type { IngestCheckpoint, IngestResult } from '../blobs/blob-store';
import { blake3 } from '../blobs/digest';
import type { ManifestEntry } from '../manifest/manifest';
import { comparePaths, refuseClashes } from '../paths';
import type { Store } from '../store';
import { SmallFileBatches, TaskPool, type BatchedFile } from './ingest-pool';
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

/**
 * One staging run over resolved sources, in path order: each entry is stored inline (values, references, small
 * files when there are few), by the pool (large files), or in a batch on the store's worker threads (many small
 * files); files an earlier attempt stored are taken over. It counts what it wrote and reports progress.
 */
export class Staging {
  private readonly paths: readonly string[];
  private readonly entries: ManifestEntry[];
  private readonly bytesTotal: number;
  private readonly done: ReadonlyMap<string, DoneFile>;
  private readonly doneList: DoneFile[];
  private readonly inFlight = new Map<string, IngestCheckpoint | undefined>();
  private readonly pool = new TaskPool(CONCURRENCY);
  private readonly batches: SmallFileBatches | undefined;
  private filesDone = 0;
  private bytesDone = 0;
  private bytesWritten = 0;
  private resumedBytes = 0;
  private partsSent = 0;
  private lastBreath = Date.now();

  constructor(private readonly store: Store, private readonly sources: ReadonlyMap<string, Source>, private readonly options: StageOptions) {
    this.paths = [...sources.keys()].sort(comparePaths);
    refuseClashes(this.paths);
    this.entries = new Array<ManifestEntry>(this.paths.length);
    this.bytesTotal = this.paths.reduce((n, p) => n + sources.get(p)!.size, 0);
    this.done = new Map((options.resume?.done ?? []).map((d) => [d.local, d]));
    this.doneList = [...this.done.values()];
    this.batches = this.batchesIfWorthIt();
  }

  /** Stores every entry and returns them in path order, or throws the first failure once in-flight work settled. */
  async storeAll(): Promise<ManifestEntry[]> {
    for (const [index, entryPath] of this.paths.entries()) {
      if (this.pool.failed) break;
      if (this.options.signal?.aborted) throw this.options.signal.reason ?? new Error('staging cancelled');
      const source = this.sources.get(entryPath)!;
      if (!(await this.storeOrSchedule(index, entryPath, source))) continue;
      this.finished(source);
      await this.breathe();
    }
    if (!this.pool.failed) await this.batches?.flushAll();
    await this.pool.drain();
    this.report();
    return this.entries;
  }

  totals(): Pick<StageResult, 'bytes' | 'bytesWritten' | 'resumedBytes' | 'partsSent'> {
    return { bytes: this.bytesTotal, bytesWritten: this.bytesWritten, resumedBytes: this.resumedBytes, partsSent: this.partsSent };
  }

  /**
   * Small files go to worker threads in batches when the store offers it; a read-rate cap keeps them on the
   * per-file path, which honours it, and a handful of small files (an incremental draft's) is quicker inline
   * than starting worker threads for it.
   */
  private batchesIfWorthIt(): SmallFileBatches | undefined {
    const ingestFiles = this.store.blobs.ingestFiles?.bind(this.store.blobs);
    let smallFiles = 0;
    for (const source of this.sources.values()) if (source.kind === 'file' && source.size < LARGE) smallFiles++;
    if (!ingestFiles || this.options.maxBytesPerSecond || smallFiles < MIN_BATCHED) return undefined;
    return new SmallFileBatches(this.pool, (batch, hardLink) => this.ingestBatch(ingestFiles, batch, hardLink));
  }

  /** Stores one entry now (true), or hands it to the pool or a batch, which count it once stored (false). */
  private async storeOrSchedule(index: number, entryPath: string, source: Source): Promise<boolean> {
    switch (source.kind) {
      case 'value':
        this.entries[index] = await this.storeValue(entryPath, source.json);
        return true;
      case 'ref':
        this.entries[index] = await referenceEntry(entryPath, source.uri, source.checksum);
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
    if (this.batches) {
      await this.batches.add({ index, entryPath, source });
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
    this.entries[index] = { path: entryPath, digest: prior.digest, size: prior.size };
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
      if (this.doneList.length < MAX_DONE) this.doneList.push({ local: source.local, size: source.size, mtimeMs: source.mtimeMs, digest: result.digest });
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
    this.entries[index] = { path: entryPath, digest: result.digest, size: result.size };
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

  private report(): void {
    const checkpoints = [...this.inFlight.values()].filter((c): c is IngestCheckpoint => c !== undefined);
    const partial = checkpoints.reduce((n, c) => n + c.bytesDone, 0);
    this.options.onProgress?.({
      filesDone: this.filesDone, filesTotal: this.paths.length, bytesDone: this.bytesDone + partial, bytesTotal: this.bytesTotal, checkpoints, done: this.doneList,
    });
  }
}
