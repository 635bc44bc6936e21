import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LocalBlobStore } from './local-blob-store';

/** What gc needs from a blob store beyond listing: a blob's age, and a delete that a concurrent reuse can stop. */
export interface BlobSweeper {
  /** Last write or reuse of the blob (epoch ms), or undefined when it is gone. */
  touchedAt(digest: string): Promise<number | undefined>;
  /**
   * Deletes the blob unless it was written or reused after `cutoffMs`. The blob is first moved aside, then its
   * time is read again: an upload that reused it just before the move refreshed that time, and the blob goes back.
   * An upload that looks after the move finds it missing and writes it again. Returns the bytes freed, or
   * undefined when the blob was kept.
   */
  deleteIfUntouched(digest: string, cutoffMs: number): Promise<number | undefined>;
}

export class LocalBlobSweeper implements BlobSweeper {
  private readonly trash: string;

  constructor(private readonly blobs: LocalBlobStore) {
    this.trash = path.join(blobs.root, 'trash');
    fs.mkdirSync(this.trash, { recursive: true });
  }

  async touchedAt(digest: string): Promise<number | undefined> {
    return (await fsp.stat(this.blobs.pathOf(digest)).catch(() => undefined))?.mtimeMs;
  }

  async deleteIfUntouched(digest: string, cutoffMs: number): Promise<number | undefined> {
    const live = this.blobs.pathOf(digest);
    const aside = path.join(this.trash, `${digest}.${randomUUID().slice(0, 8)}`);
    try {
      await fsp.rename(live, aside);
    } catch {
      return 0;
    }
    const st = await fsp.stat(aside);
    if (st.mtimeMs > cutoffMs) {
      // Reused while we decided: put it back (an upload that wrote it again meanwhile wrote the same bytes).
      await fsp.rename(aside, live);
      return undefined;
    }
    await fsp.rm(aside, { force: true });
    return st.size;
  }
}
