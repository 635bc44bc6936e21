import type { BlobSweeper } from './local-blob-sweep';
import type { S3BlobStore } from './s3-blob-store';

/**
 * gc's sweep on an object store. S3 has no atomic rename and a writer that finds a blob present does not touch it,
 * so a reuse leaves no trace gc could read. Instead (see collectGarbage): gc sweeps only while no write is running,
 * a candidate is first moved to the trash (a writer asking for it afterwards uploads it again), and once the sweep
 * is over the trash is settled: blobs a write started during the sweep may have reused, or that a version committed
 * since references, go back; the rest are deleted.
 */
export class S3BlobSweeper implements BlobSweeper {
  readonly needsQuiet = true;
  private readonly trashed = new Map<string, number>();

  /** `dropCached`: forgets a deleted blob in this host's read cache, when reads go through one. */
  constructor(private readonly blobs: S3BlobStore, private readonly dropCached?: (digest: string) => Promise<void>) {}

  async touchedAt(digest: string): Promise<number | undefined> {
    return (await this.blobs.statBlob(digest))?.modifiedMs;
  }

  async deleteIfUntouched(digest: string, cutoffMs: number): Promise<number | undefined> {
    const stat = await this.blobs.statBlob(digest);
    if (stat === undefined) return 0;
    if (stat.modifiedMs > cutoffMs) return undefined;
    await this.blobs.moveToTrash(digest);
    this.trashed.set(digest, stat.size);
    return stat.size;
  }

  /** Incomplete multipart uploads are the store's temp files; bucket lifecycle rules end them (not swept here). */
  async sweepTemp(): Promise<{ files: number; bytes: number }> {
    return { files: 0, bytes: 0 };
  }

  /**
   * Puts back the trashed blobs `restore` names, deletes the others; returns what this sweep put back. The trash of a
   * gc that died before settling is settled the same way, since it is listed with this sweep's.
   */
  async settle(restore: (digest: string) => boolean): Promise<{ readonly blobs: number; readonly bytes: number }> {
    let blobs = 0;
    let bytes = 0;
    const inTrash: string[] = [];
    for await (const digest of this.blobs.listTrash()) inTrash.push(digest);
    for (const digest of inTrash) {
      if (!restore(digest)) {
        await this.blobs.purgeFromTrash(digest);
        await this.dropCached?.(digest);
        continue;
      }
      await this.blobs.restoreFromTrash(digest);
      const size = this.trashed.get(digest);
      if (size !== undefined) {
        blobs++;
        bytes += size;
      }
    }
    this.trashed.clear();
    return { blobs, bytes };
  }
}
