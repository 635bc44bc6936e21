import { readManifest, type ManifestEntry } from '../manifest/manifest';
import { resolveInside } from '../paths';
import type { VersionRecord } from '../registry/registry';
import type { Store } from '../store';
import { entryBytes, expectedOf, mismatchLine, mismatchOf, type Mismatch } from './entry-bytes';
import { OriginError } from '../references/origin';
import { StatCache } from './stat-cache';
import { TargetFolder } from './target-folder';
import { IntegrityError } from '../../errors';

export interface DownloadOptions {
  /** Only the entries whose path starts with this string (`images/` for a folder, `images/cat` for a name prefix). */
  readonly pathPrefix?: string | undefined;
  /** Checkout: also remove every file and folder under the target that is not in the version. */
  readonly removeStrays?: boolean | undefined;
  /** Called after each entry. */
  readonly onFile?: ((done: number, total: number) => void) | undefined;
}

export interface DownloadResult {
  readonly directory: string;
  /** Entries of the version in scope (all, or those under the path prefix), and their bytes. */
  readonly files: number;
  readonly bytes: number;
  /** Entries written because they were missing or different. */
  readonly fetched: number;
  readonly fetchedBytes: number;
  /** Entries already in place with the right bytes, left untouched. */
  readonly skipped: number;
  /** Of the skipped, those whose bytes were read to know (the stat cache could not vouch for them). */
  readonly hashed: number;
  /** Checkout only: paths under the target removed because the version does not hold them. */
  readonly removed: readonly string[];
}

/**
 * Writes a version's files (or those under a path prefix) under `directory`, never outside it: every path is proved
 * to stay inside before anything is written, and no symlink in the folder is followed (see TargetFolder). A file
 * already there with the right bytes is left untouched (same inode, same mtime): a stat cache kept in the data
 * folder says so without reading it, else it is hashed. Every byte written is hashed on the way; a file whose
 * bytes do not match its digest is not written (not even under a temp name), the others are, and the download then
 * fails with an IntegrityError naming each one.
 */
export async function downloadVersion(store: Store, version: VersionRecord, directory: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const planned: ManifestEntry[] = [];
  const prefix = options.pathPrefix ?? '';
  for await (const entry of readManifest(store.blobs, version.manifest.root)) {
    if (!entry.path.startsWith(prefix)) continue;
    resolveInside(directory, entry.path);
    planned.push(entry);
  }
  const target = await TargetFolder.open(directory);
  const placing = new Placing(store, target, StatCache.open(store.home, target.root));
  let removed: string[] = [];
  try {
    await placing.placeAll(planned, options.onFile);
    if (options.removeStrays) removed = placing.removeAllBut(planned);
  } finally {
    placing.cache.save();
    target.close();
  }
  if (placing.mismatches.length > 0) throw downloadMismatch(`${version.name}:${version.version}`, target.root, planned.length, placing.mismatches);
  const bytes = planned.reduce((n, e) => n + e.size, 0);
  return { directory, files: planned.length, bytes, ...placing.counts, removed };
}

/** One download's placing of entries: skip what is in place, fetch the rest, count both. */
class Placing {
  readonly mismatches: Mismatch[] = [];
  readonly counts = { fetched: 0, fetchedBytes: 0, skipped: 0, hashed: 0 };

  constructor(private readonly store: Store, private readonly target: TargetFolder, readonly cache: StatCache) {}

  /**
   * Places every entry in order. From a remote store, the bytes of small entries to fetch are requested up to
   * `prefetch` at a time ahead of their writing (each is a round trip); writes stay one after another.
   */
  async placeAll(entries: readonly ManifestEntry[], onFile: DownloadOptions['onFile']): Promise<void> {
    const ahead = this.store.blobs.prefetch ?? 0;
    const window: { entry: ManifestEntry; bytes: Promise<Fetched> }[] = [];
    let done = 0;
    const finish = async (entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> => {
      await this.fetchInto(entry, bytes);
      onFile?.(++done, entries.length);
    };
    for (const entry of entries) {
      if (await this.inPlace(entry)) {
        this.counts.skipped++;
        onFile?.(++done, entries.length);
        continue;
      }
      if (ahead > 0 && entry.size <= PREFETCH_MAX) {
        window.push({ entry, bytes: collect(entryBytes(this.store, entry)) });
        if (window.length >= ahead) await finish(window[0]!.entry, replay(await window.shift()!.bytes));
        continue;
      }
      for (const w of window.splice(0)) await finish(w.entry, replay(await w.bytes));
      await finish(entry, entryBytes(this.store, entry));
    }
    for (const w of window.splice(0)) await finish(w.entry, replay(await w.bytes));
  }

  private async fetchInto(entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> {
    const { actual, reason } = await this.fetch(entry, bytes);
    if (actual !== entry.digest) this.mismatches.push(await mismatchOf(this.store, entry, actual, reason));
    else {
      this.counts.fetched++;
      this.counts.fetchedBytes += entry.size;
    }
  }

  removeAllBut(entries: readonly ManifestEntry[]): string[] {
    const removed = this.target.removeAllBut(new Set(entries.map((e) => e.path)));
    for (const p of removed) this.cache.forget(p);
    return removed;
  }

  /** Whether the file at the entry's place already holds its bytes (by the stat cache, or by hashing it). */
  private async inPlace(entry: ManifestEntry): Promise<boolean> {
    const expected = expectedOf(entry);
    if (!expected) return false;
    const here = this.target.inPlace(entry.path);
    if (!here || here.stamp.size !== expected.size) return false;
    if (this.cache.digestOf(entry.path, here.stamp) === expected.digest) return true;
    const read = await here.hash(expected.digest);
    this.counts.hashed++;
    if (read.digest !== expected.digest || read.size !== expected.size) return false;
    this.cache.record(entry.path, read.stamp, read.digest);
    return true;
  }

  /**
   * Writes one entry if its bytes match; returns the digest read (`missing` when there were none, with the reason
   * when a reference's origin could not be read: that fails this entry, not the download's other files).
   */
  private async fetch(entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<{ actual: string; reason?: string }> {
    const expected = expectedOf(entry);
    try {
      const written = await this.target.write(entry.path, bytes, expected);
      if (expected && (written.digest !== expected.digest || written.size !== expected.size)) return { actual: written.digest };
      if (written.stamp) this.cache.record(entry.path, written.stamp, written.digest);
      return { actual: entry.digest };
    } catch (err) {
      if (err instanceof OriginError) return { actual: 'missing', reason: err.reason };
      if (err instanceof IntegrityError) return { actual: 'missing' };
      throw err;
    }
  }
}

/** Entries up to this size are fetched ahead into memory from a remote store. */
const PREFETCH_MAX = 1 << 20;

type Fetched = { readonly chunks: Uint8Array[] } | { readonly error: unknown };

/** Reads all of a small entry's bytes; a failure is kept, to be met when the entry is written. */
async function collect(bytes: AsyncIterable<Uint8Array>): Promise<Fetched> {
  try {
    const chunks: Uint8Array[] = [];
    for await (const chunk of bytes) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { error };
  }
}

async function* replay(fetched: Fetched): AsyncIterable<Uint8Array> {
  if ('error' in fetched) throw fetched.error;
  yield* fetched.chunks;
}

function downloadMismatch(ref: string, directory: string, total: number, mismatches: readonly Mismatch[]): IntegrityError {
  const lines = mismatches.map(mismatchLine);
  return new IntegrityError(`${mismatches.length} of ${total} files of ${ref} do not match their digests and were not written to ${directory}:\n${lines.join('\n')}\n` +
    'The other files were written. Damaged stored blobs were set aside: log those files again from their originals to repair the store ' +
    '(a reference whose origin changed must be restored there, or logged again as a new version), then download again.');
}
