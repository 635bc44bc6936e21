import type { FileSource } from './sources';

/**
 * How staging keeps several ingests going at once: a bounded pool of tasks that remembers the first failure
 * (which stops new work), and small files collected into batches for the store's worker threads.
 */
export class TaskPool {
  private readonly tasks = new Set<Promise<void>>();
  private firstFailure: { readonly error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  get failed(): boolean {
    return this.firstFailure !== undefined;
  }

  /** Starts a task once fewer than `limit` run; its failure is kept for `drain` rather than thrown here. */
  async schedule(start: () => Promise<void>): Promise<void> {
    while (this.tasks.size >= this.limit) await Promise.race(this.tasks);
    const task: Promise<void> = start()
      .catch((error: unknown) => void (this.firstFailure ??= { error }))
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Waits for every task, then throws the first failure if there was one. */
  async drain(): Promise<void> {
    await Promise.all(this.tasks);
    if (this.firstFailure) throw this.firstFailure.error;
  }
}

/** A small file waiting for its batch, with the manifest slot its entry goes to (a class: see "Memory" in the README). */
export class BatchedFile {
  constructor(
    readonly index: number,
    readonly entryPath: string,
    readonly source: FileSource,
  ) {}
}

type LinkMode = 'copy' | 'link';

/** Small files go to worker threads in batches this big (whichever bound comes first). */
const BATCH_FILES = 256;
const BATCH_BYTES = 8 << 20;

/** Collects small files into batches, one line per link mode (a batch is ingested with one mode), sent through the pool. */
export class SmallFileBatches {
  private readonly pending: Record<LinkMode, BatchedFile[]> = { copy: [], link: [] };
  private readonly pendingBytes: Record<LinkMode, number> = { copy: 0, link: 0 };

  constructor(private readonly pool: TaskPool, private readonly ingest: (batch: readonly BatchedFile[], hardLink: boolean) => Promise<void>) {}

  async add(file: BatchedFile): Promise<void> {
    const mode = file.source.hardLink ? 'link' : 'copy';
    this.pending[mode].push(file);
    this.pendingBytes[mode] += file.source.size;
    if (this.pending[mode].length >= BATCH_FILES || this.pendingBytes[mode] >= BATCH_BYTES) await this.flush(mode);
  }

  async flushAll(): Promise<void> {
    await this.flush('copy');
    await this.flush('link');
  }

  private async flush(mode: LinkMode): Promise<void> {
    const batch = this.pending[mode];
    if (batch.length === 0) return;
    this.pending[mode] = [];
    this.pendingBytes[mode] = 0;
    await this.pool.schedule(() => this.ingest(batch, mode === 'link'));
  }
}
