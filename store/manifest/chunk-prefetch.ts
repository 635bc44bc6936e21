import type { BlobStore } from '../blobs/blob-store';

/**
 * Manifest chunks read ahead from a remote store: a walk that knows which chunks it reads next (the children of a
 * node it opens) asks for them at once, up to the store's `prefetch` in flight, and takes each when it comes to it.
 * Each read is a round trip (a leaf of ~128 entries per GET from S3), so a walk one chunk at a time waited on every one
 * in turn. A local store (no `prefetch`) reads as it goes: a read there is a system call.
 */
export class ChunkPrefetch {
  private readonly pending = new Map<string, Promise<Buffer>>();
  private readonly queue: (() => void)[] = [];
  private running = 0;

  constructor(private readonly blobs: BlobStore) {}

  /** Starts reading `digests` (those not asked for already). */
  ahead(digests: Iterable<string>): void {
    const limit = this.blobs.prefetch;
    if (!limit) return;
    for (const digest of digests) {
      if (this.pending.has(digest)) continue;
      const read = new Promise<void>((start) => (this.running < limit ? (this.running++, start()) : this.queue.push(start))).then(() => this.blobs.getBytes(digest)).finally(() => {
        const next = this.queue.shift();
        if (next) next();
        else this.running--;
      });
      // A read nobody takes (the walk ended first) must not be an unhandled rejection; one taken throws there.
      read.catch(() => undefined);
      this.pending.set(digest, read);
    }
  }

  /** The read of `digest` started ahead, if any, left for `get` to take. */
  peek(digest: string): Promise<Buffer> | undefined {
    return this.pending.get(digest);
  }

  /** A chunk's bytes: the read started ahead if there is one, else a read now. */
  get(digest: string): Promise<Buffer> {
    const started = this.pending.get(digest);
    if (!started) return this.blobs.getBytes(digest);
    this.pending.delete(digest);
    return started;
  }
}
