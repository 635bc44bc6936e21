import type { BatchIngestOptions, BlobStore, IngestOptions, IngestResult } from './blob-store';
import type { ReadCache } from './read-cache';
import { concatAll, isChunked, readChunked, setAsideDamagedChunks } from './chunked-files';

/** A cache hit up to this size is read whole in one synchronous call (see ReadCache.getSmall). */
const SMALL_HIT = 1 << 20;

/**
 * A remote blob store read through a local ReadCache: reads are served from the cache when it holds the blob
 * (checked on every hit), else fetched, served, and kept once their bytes matched. Writes, listing and deletes go
 * straight to the remote store. A file stored as chunks is read chunk by chunk through the cache, so a new version of
 * a large file downloads only the chunks the cache lacks.
 */
export class CachedBlobStore implements BlobStore {
  readonly location: string;
  readonly ingestFiles?: (localPaths: readonly string[], options?: BatchIngestOptions) => Promise<IngestResult[]>;
  readonly prefetch: number | undefined;

  constructor(readonly remote: BlobStore, readonly cache: ReadCache) {
    this.location = remote.location;
    this.prefetch = remote.prefetch;
    if (remote.ingestFiles) this.ingestFiles = remote.ingestFiles.bind(remote);
  }

  has(digest: string): Promise<boolean> {
    return this.remote.has(digest);
  }

  putBytes(bytes: Uint8Array): Promise<string> {
    return this.remote.putBytes(bytes);
  }

  async getBytes(digest: string, into?: Buffer): Promise<Buffer> {
    if (isChunked(digest)) return concatAll(readChunked(this, digest));
    const small = this.cache.getSmall(digest, SMALL_HIT);
    if (small instanceof Buffer) return small;
    const hit = small === 'larger' ? await this.cache.get(digest) : undefined;
    if (hit) {
      const parts: Buffer[] = [];
      for await (const chunk of hit) parts.push(chunk);
      return Buffer.concat(parts);
    }
    // The remote's getBytes checks the bytes against the digest (S3BlobStore's does), so they are kept unhashed again.
    const bytes = await this.remote.getBytes(digest, into);
    await this.cache.putChecked(digest, bytes);
    return bytes;
  }

  ingestFile(localPath: string, options?: IngestOptions): Promise<IngestResult> {
    return this.remote.ingestFile(localPath, options);
  }

  async *read(digest: string): AsyncIterable<Buffer> {
    if (isChunked(digest)) {
      yield* readChunked(this, digest);
      return;
    }
    const hit = await this.cache.get(digest);
    if (hit) {
      yield* hit;
      return;
    }
    const writer = this.cache.writer(digest);
    try {
      for await (const chunk of this.remote.read(digest)) {
        writer.write(chunk);
        yield chunk;
      }
      await writer.commit();
    } finally {
      writer.abandon();
    }
  }

  hashStored(digest: string): Promise<string> {
    return this.remote.hashStored(digest);
  }

  async setAsideDamaged(digest: string): Promise<void> {
    if (isChunked(digest)) return setAsideDamagedChunks(this, digest);
    await this.cache.drop(digest);
    await this.remote.setAsideDamaged(digest);
  }

  list(): AsyncIterable<string> {
    return this.remote.list();
  }

  async delete(digest: string): Promise<void> {
    await this.cache.drop(digest);
    await this.remote.delete(digest);
  }
}
