import type { BlobStore } from '../blobs/blob-store';
import { ManifestWriter, type ManifestEntry, type ManifestRef, type WriterState } from '../manifest/manifest';
import type { StageCursor } from './stage-types';

/**
 * Puts entries stored out of order (files finish on worker threads and in a pool) into a ManifestWriter in path
 * order, holding only those that finished ahead of the first one still being stored. Now and then, between two
 * entries, it saves the writer's state as a blob: the cursor (the last path written, and that blob's digest) is
 * what a retry resumes from, so a heartbeat stays the same size whatever the number of files.
 */
export class OrderedWriter {
  /** Entries handed out so far by this attempt, and entries written, in order. */
  private written = 0;
  private readonly ready = new Map<number, ManifestEntry>();
  private chain: Promise<void> = Promise.resolve();
  private failure: { readonly error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private lastCheckpoint = Date.now();
  /** Where a retry would resume; undefined until the first checkpoint (or the one resumed from). */
  cursor: StageCursor | undefined;

  private constructor(private readonly blobs: BlobStore, private readonly writer: ManifestWriter, cursor: StageCursor | undefined, private readonly every: { ms: number; onCheckpoint: () => void }) {
    this.cursor = cursor;
  }

  /** A writer that starts afresh, or carries on from a cursor an earlier attempt saved. */
  static async open(blobs: BlobStore, resume: StageCursor | undefined, every: { ms: number; onCheckpoint: () => void }): Promise<OrderedWriter> {
    if (!resume) return new OrderedWriter(blobs, new ManifestWriter(blobs), undefined, every);
    const state = JSON.parse((await blobs.getBytes(resume.writer)).toString('utf8')) as WriterState;
    return new OrderedWriter(blobs, ManifestWriter.restore(blobs, state), resume, every);
  }

  /** Files and bytes the manifest holds so far (including what a resumed attempt inherited). */
  get totals(): { files: number; bytes: number } {
    const { count, size } = this.writer.state();
    return { files: count, bytes: size };
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** How many handed-out entries (of `handedOut`) wait to be written: the memory the reordering holds. */
  behind(handedOut: number): number {
    return handedOut - this.written;
  }

  /** The entry at position `index` (in path order, counted from this attempt's first) is stored. */
  put(index: number, entry: ManifestEntry): void {
    this.ready.set(index, entry);
    if (index !== this.written) return;
    this.chain = this.chain.then(() => this.drain()).catch((error: unknown) => void (this.failure ??= { error }));
  }

  /** Resolves once another entry was written (or the writing failed). */
  progressed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** Writes what remains and closes the tree. */
  async finish(): Promise<ManifestRef> {
    await this.chain;
    if (this.failure) throw this.failure.error;
    if (this.ready.size > 0) throw new Error(`staging ended with ${this.ready.size} entries never written (the first missing is #${this.written})`);
    return this.writer.finish();
  }

  private async drain(): Promise<void> {
    for (let entry = this.ready.get(this.written); entry; entry = this.ready.get(this.written)) {
      this.ready.delete(this.written);
      await this.writer.add(entry);
      this.written++;
    }
    this.wake?.();
    if (Date.now() - this.lastCheckpoint >= this.every.ms) await this.checkpoint();
  }

  private async checkpoint(): Promise<void> {
    this.lastCheckpoint = Date.now();
    const path = this.writer.lastPath;
    if (path === undefined) return;
    const digest = await this.blobs.putBytes(Buffer.from(JSON.stringify(this.writer.state())));
    this.cursor = { path, writer: digest };
    this.every.onCheckpoint();
  }
}
