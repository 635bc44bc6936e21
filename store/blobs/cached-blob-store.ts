import type { BatchIngestOptions, BlobStore, IngestOptions, IngestResult } from './blob-store';
import { sha256 } from './digest';
import type { ReadCache } from './read-cache';

/**
 * A remote blob store read through a local ReadCache: reads are served from the cache when it holds the blob
 * (checked on every hit), else fetched, served, and kept once their bytes matched. Writes, listing and deletes go
 * straight to the remote store.
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

  async getBytes(digest: string): Promise<Buffer> {
    const hit = await this.cache.get(digest);
    if (hit) {
      const parts: Buffer[] = [];
      for await (const chunk of hit) parts.push(chunk);
      return Buffer.concat(parts);
    }
    const bytes = await this.remote.getBytes(digest);
    const writer = this.cache.writer();
    writer.write(bytes);
    await writer.commit(sha256(bytes) === digest ? digest : '');
    return bytes;
  }

  ingestFile(localPath: string, options?: IngestOptions): Promise<IngestResult> {
    return this.remote.ingestFile(localPath, options);
  }

  async *read(digest: string): AsyncIterable<Buffer> {
    const hit = await this.cache.get(digest);
    if (hit) {
      yield* hit;
      return;
    }
    const writer = this.cache.writer();
    try {
      for await (const chunk of this.remote.read(digest)) {
        writer.write(chunk);
        yield chunk;
      }
      await writer.commit(digest);
    } finally {
      writer.abandon();
    }
  }

  hashStored(digest: string): Promise<string> {
    return this.remote.hashStored(digest);
  }

  async setAsideDamaged(digest: string): Promise<void> {
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
