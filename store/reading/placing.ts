import type { ManifestEntry } from '../manifest/manifest';
import type { Store } from '../store';
import { placeChunked } from './chunked-placing';
import { placeSmallBatches, SMALL } from './small-batches';
import { stillThereQuick } from './placed-check';
import { entryBytes, expectedOf, isUnchecked, mismatchOf, type Mismatch } from './entry-bytes';
import { OriginError } from '../references/origin';
import type { StatCache } from './stat-cache';
import type { TargetFolder } from './target-folder';
import { IntegrityError } from '../../errors';


/**
 * One download's placing of entries: skip what is in place, fetch the rest, count both. Small files no download put
 * there before, or holding an older version's bytes as a download left them, go first, in batches on the native
 * helper's threads (see small-batches.ts: from the local store, or fetched from a remote one; without the helper, the
 * ingest threads, local store only). Large files stored as chunks are placed with several chunks in flight
 * (chunked-placing.ts: on the helper's or the ingest threads from the local store, fetched through the read cache
 * from a remote one); everything else takes the usual road here: look at what is there, then write through a temp
 * name.
 */
export class Placing {
  readonly mismatches: Mismatch[] = [];
  readonly counts = { fetched: 0, fetchedBytes: 0, skipped: 0, hashed: 0 };
  constructor(private readonly store: Store, readonly target: TargetFolder, readonly cache: StatCache) {}

  /**
   * Places every entry in order. From a remote store, the bytes of small entries to fetch are requested up to
   * `prefetch` at a time ahead of their writing (each is a round trip); writes stay one after another.
   */
  async placeAll(entries: readonly ManifestEntry[], onFile: ((done: number, total: number) => void) | undefined): Promise<void> {
    const ahead = this.store.blobs.prefetch ?? 0;
    const window: { entry: ManifestEntry; bytes: Promise<Fetched> }[] = [];
    let done = 0;
    const { unchanged, replaceable } = this.lookAtRecorded(entries);
    const toPlace = entries.filter((entry) => {
      if (!unchanged.has(entry)) return true;
      this.counts.skipped++;
      onFile?.(++done, entries.length);
      return false;
    });
    const rest = await placeSmallBatches(this.store.blobs, this.target, this.cache, { entries: toPlace, replaceable }, (entry, stamp) => {
      this.cache.record(entry.path, stamp, entry.digest);
      this.counted(entry);
      onFile?.(++done, entries.length);
    });
    const finish = async (entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> => {
      await this.fetchInto(entry, bytes);
      onFile?.(++done, entries.length);
    };
    for (const entry of rest) {
      if (await this.inPlace(entry)) {
        this.counts.skipped++;
        onFile?.(++done, entries.length);
        continue;
      }
      if (entry.size > SMALL && (await this.placeLarge(entry))) {
        onFile?.(++done, entries.length);
        continue;
      }
      if (ahead > 0 && entry.size <= SMALL) {
        window.push({ entry, bytes: collect(entryBytes(this.store, entry)) });
        if (window.length >= ahead) await finish(window[0]!.entry, replay(await window.shift()!.bytes));
        continue;
      }
      for (const w of window.splice(0)) await finish(w.entry, replay(await w.bytes));
      await finish(entry, entryBytes(this.store, entry));
    }
    for (const w of window.splice(0)) await finish(w.entry, replay(await w.bytes));
  }

  /**
   * Of the files a download recorded here before, by one stat each (all in one call) and nothing read: those
   * unchanged since with the entry's very bytes, and those unchanged since with other bytes (an older version's,
   * which may be replaced without being read). A reference without a checksum is in neither: nothing vouches for it.
   */
  private lookAtRecorded(entries: readonly ManifestEntry[]): { unchanged: Set<ManifestEntry>; replaceable: Set<ManifestEntry> } {
    const known = this.cache.recordedOf(entries.filter((entry) => !isUnchecked(entry)));
    const there = stillThereQuick(this.target.root, known.entries.map((e) => e.path), known.quick);
    const unchanged = new Set<ManifestEntry>();
    const replaceable = new Set<ManifestEntry>();
    known.entries.forEach((entry, i) => {
      if (there[i]) (known.same[i] === 1 ? unchanged : replaceable).add(entry);
    });
    return { unchanged, replaceable };
  }

  /** A large file stored as chunks, several chunks in flight, each checked and written at its offset (see placeChunked). */
  private async placeLarge(entry: ManifestEntry): Promise<boolean> {
    const stamp = await placeChunked(this.store.blobs, this.target, entry);
    if (!stamp) return false;
    this.cache.record(entry.path, stamp, entry.digest);
    this.counted(entry);
    return true;
  }

  private async fetchInto(entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> {
    const { actual, reason } = await this.fetch(entry, bytes);
    if (actual !== entry.digest) this.mismatches.push(await mismatchOf(this.store, entry, actual, reason));
    else this.counted(entry);
  }

  private counted(fetched: ManifestEntry): void {
    this.counts.fetched++;
    this.counts.fetchedBytes += fetched.size;
  }

  removeAllBut(paths: readonly string[]): string[] {
    const removed = this.target.removeAllBut(new Set(paths));
    for (const p of removed) this.cache.forget(p);
    return removed;
  }

  /** Whether the file at the entry's place already holds its bytes (by the stat cache, or by hashing it). */
  private async inPlace(entry: ManifestEntry): Promise<boolean> {
    const expected = expectedOf(entry);
    if (!expected) return false;
    const here = this.target.inPlace(entry.path);
    if (!here || here.stamp.size !== expected.size) return false;
    const known = this.cache.digestOf(entry.path, here.stamp);
    if (known === expected.digest) return true;
    // Unchanged since a download put other bytes there (an older version's): no need to read it to know.
    if (known !== undefined) return false;
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
