import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LocalBlobStore } from './local-blob-store';
import { openFilesOnThisHost } from './open-files';

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
  /**
   * Deletes the temp files of writes that ended without renaming them into place (a killed upload): those last
   * written before `cutoffMs` that no process holds open. A resumable upload's retry writes its temp file again,
   * and its write is running, so its files are newer than the cutoff gc computes.
   */
  sweepTemp(cutoffMs: number, dryRun: boolean): Promise<{ readonly files: number; readonly bytes: number }>;
  /** A store whose deletes cannot see a concurrent reuse: gc sweeps it only while no write runs (see S3BlobSweeper). */
  readonly needsQuiet?: boolean;
  /** After the sweep of such a store: puts back the blobs `restore` names, ends the others. */
  settle?(restore: (digest: string) => boolean): Promise<{ readonly blobs: number; readonly bytes: number }>;
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

  async sweepTemp(cutoffMs: number, dryRun: boolean): Promise<{ files: number; bytes: number }> {
    // Real path: /proc names open files by theirs.
    const tmpDir = await fsp.realpath(path.join(this.blobs.root, 'tmp')).catch(() => undefined);
    if (tmpDir === undefined) return { files: 0, bytes: 0 };
    const old: { file: string; size: number }[] = [];
    for (const name of await fsp.readdir(tmpDir)) {
      const file = path.join(tmpDir, name);
      const st = await fsp.lstat(file).catch(() => undefined);
      if (st?.isFile() && st.mtimeMs <= cutoffMs) old.push({ file, size: st.size });
    }
    if (old.length === 0) return { files: 0, bytes: 0 };
    const open = openFilesOnThisHost();
    let files = 0;
    let bytes = 0;
    for (const { file, size } of old) {
      if (open?.has(file)) continue;
      if (!dryRun) await fsp.rm(file, { force: true });
      files++;
      bytes += size;
    }
    return { files, bytes };
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
