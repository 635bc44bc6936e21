import { syncSmallBlobReader } from '../blobs/sync-blob-read';
import { hasherFor } from '../blobs/digest';
import type { ManifestEntry } from '../manifest/manifest';
import type { Store } from '../store';
import { placeChunked } from './chunked-placing';
import { entryBytes, expectedOf, mismatchOf, type Mismatch } from './entry-bytes';
import { OriginError } from '../references/origin';
import type { StatCache } from './stat-cache';
import type { TargetFolder } from './target-folder';
import { IntegrityError } from '../../errors';

/** Entries up to this size are read whole: from a remote store ahead of their writing, from the local one in one call. */
const SMALL = 1 << 20;
/** Small entries placed one after another without giving the event loop a turn. */
const SYNC_RUN = 256;

/**
 * One download's placing of entries: skip what is in place, fetch the rest, count both. From the local store, a
 * small entry is read with one call, hashed, and written under its name when nothing is there (see createWhole):
 * no async step per file, as those cost more than the file's own bytes.
 */
export class Placing {
  readonly mismatches: Mismatch[] = [];
  readonly counts = { fetched: 0, fetchedBytes: 0, skipped: 0, hashed: 0 };
  private readonly readSmall: ReturnType<typeof syncSmallBlobReader>;
  private readonly scratch = Buffer.allocUnsafe(SMALL + 1);

  constructor(private readonly store: Store, private readonly target: TargetFolder, readonly cache: StatCache) {
    this.readSmall = syncSmallBlobReader(store.blobs);
  }

  /**
   * Places every entry in order. From a remote store, the bytes of small entries to fetch are requested up to
   * `prefetch` at a time ahead of their writing (each is a round trip); writes stay one after another.
   */
  async placeAll(entries: readonly ManifestEntry[], onFile: ((done: number, total: number) => void) | undefined): Promise<void> {
    const ahead = this.store.blobs.prefetch ?? 0;
    const window: { entry: ManifestEntry; bytes: Promise<Fetched> }[] = [];
    let done = 0;
    let run = 0;
    const finish = async (entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> => {
      await this.fetchInto(entry, bytes);
      onFile?.(++done, entries.length);
    };
    for (const entry of entries) {
      if (this.readSmall && entry.ref === undefined && entry.size <= SMALL && !this.cache.knows(entry.path)) {
        const placed = this.placeSmall(entry, this.readSmall);
        if (placed) {
          onFile?.(++done, entries.length);
          // A long run of small files gives the event loop a turn now and then (heartbeats, signals).
          if (++run % SYNC_RUN === 0) await new Promise(setImmediate);
          continue;
        }
      }
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
   * A small entry of the local store, where no download put a file before: read, hashed, and created under its name.
   * False when something is there already, or the blob does not match: the caller then takes the usual road (which
   * looks at what is there, and reports a mismatch).
   */
  private placeSmall(entry: ManifestEntry, read: NonNullable<Placing['readSmall']>): boolean {
    let bytes: Buffer;
    try {
      bytes = read(entry.digest, entry.size, this.scratch);
    } catch (err) {
      if (err instanceof IntegrityError) return false;
      throw err;
    }
    const digest = hasherFor(entry.digest).update(bytes).digest();
    if (digest !== entry.digest || bytes.length !== entry.size) return false;
    const stamp = this.target.createWhole(entry.path, bytes);
    if (stamp === 'exists') return false;
    this.cache.record(entry.path, stamp, digest);
    this.counts.fetched++;
    this.counts.fetchedBytes += entry.size;
    return true;
  }

  /** A large file stored as chunks in the local store, its chunks hashed and written on every core (see placeChunked). */
  private async placeLarge(entry: ManifestEntry): Promise<boolean> {
    const stamp = await placeChunked(this.store.blobs, this.target, entry);
    if (!stamp) return false;
    this.cache.record(entry.path, stamp, entry.digest);
    this.counts.fetched++;
    this.counts.fetchedBytes += entry.size;
    return true;
  }

  private async fetchInto(entry: ManifestEntry, bytes: AsyncIterable<Uint8Array>): Promise<void> {
    const { actual, reason } = await this.fetch(entry, bytes);
    if (actual !== entry.digest) this.mismatches.push(await mismatchOf(this.store, entry, actual, reason));
    else {
      this.counts.fetched++;
      this.counts.fetchedBytes += entry.size;
    }
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
