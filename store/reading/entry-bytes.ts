import { blake3, displayDigest, hasherFor, sha256 } from '../blobs/digest';
import type { ManifestEntry } from '../manifest/manifest';
import type { Store } from '../store';
import { originBytes } from '../references/origin';
import { IntegrityError } from '../../errors';

/** A reference added with `checksum: false`: its digest names the URI, not bytes, so its bytes cannot be checked. */
export function isUnchecked(entry: ManifestEntry): boolean {
  return entry.ref !== undefined && entry.size === 0 && (entry.digest === blake3(entry.ref) || entry.digest === sha256(entry.ref));
}

/** What an entry's bytes must hash to and weigh, or undefined for an unchecked reference. */
export function expectedOf(entry: ManifestEntry): { digest: string; size: number } | undefined {
  return isUnchecked(entry) ? undefined : { digest: entry.digest, size: entry.size };
}

/**
 * An entry's bytes as they come from where they live (the blob store, or a reference's origin), unchecked: every
 * reader that serves them hashes them on the way. Missing bytes are an IntegrityError (from the first read).
 */
export function entryBytes(store: Store, entry: ManifestEntry): AsyncIterable<Uint8Array> {
  return entry.ref === undefined ? store.blobs.read(entry.digest) : originBytes(entry.ref);
}

/**
 * Passes `chunks` through the hash of the entry's digest and fails before its end when they do not hash to `expected`. An entry up to
 * `holdBytes` is held back whole and served only once it matched, so none of a damaged one is served; a larger one
 * is served as it arrives, and a mismatch is an error in place of its end.
 */
export async function* verified(entry: ManifestEntry, chunks: AsyncIterable<Uint8Array>, holdBytes = 16 << 20): AsyncIterable<Uint8Array> {
  const expected = expectedOf(entry);
  const hash = hasherFor(expected?.digest);
  const held: Uint8Array[] = [];
  let size = 0;
  const hold = expected !== undefined && expected.size <= holdBytes;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
    if (hold && size <= holdBytes) held.push(chunk);
    else {
      for (const h of held.splice(0)) yield h;
      yield chunk;
    }
  }
  const digest = hash.digest();
  if (expected && (digest !== expected.digest || size !== expected.size)) throw new EntryMismatch(entry, digest);
  yield* held;
}

/** An entry whose bytes did not match its digest: `actual` is what they hashed to. */
export class EntryMismatch extends IntegrityError {
  constructor(readonly entry: ManifestEntry, readonly actual: string) {
    super(`${entry.path} does not match its digest (expected ${short(entry.digest)}, found ${short(actual)}), so it was not served. ` +
      (entry.ref === undefined ? 'The stored blob was damaged and has been set aside; log the file again from its original to repair the store.' : `Its origin ${entry.ref} changed since it was logged; restore it, or log a new version.`));
  }
}

/** One entry whose bytes could not be served: what it should hash to and what was found. */
export interface Mismatch {
  readonly path: string;
  readonly expected: string;
  /** The digest found, or `missing` when the bytes are gone (or a reference's origin could not be read). */
  readonly actual: string;
  /** References: the URI, and why its origin could not be read when it could not. */
  readonly ref?: string | undefined;
  readonly reason?: string | undefined;
  /** Files stored as chunks: each damaged or missing chunk, by index, byte range and digest (verify names them). */
  readonly chunks?: readonly string[] | undefined;
}

/** Records a mismatch, setting a damaged stored blob aside (a missing one, or a reference, has nothing to set aside). */
export async function mismatchOf(store: Store, entry: ManifestEntry, actual: string, reason?: string): Promise<Mismatch> {
  if (entry.ref === undefined && actual !== 'missing') await store.blobs.setAsideDamaged(entry.digest);
  return { path: entry.path, expected: entry.digest, actual, ...(entry.ref === undefined ? {} : { ref: entry.ref }), ...(reason === undefined ? {} : { reason }) };
}

/** One line of a download's failure report for a mismatch. */
export function mismatchLine(m: Mismatch): string {
  if (m.reason !== undefined) return `  ${m.path}: its origin could not be read (${m.reason})`;
  const found = m.actual === 'missing' ? 'no bytes' : short(m.actual);
  if (m.ref !== undefined) return `  ${m.path}: changed at its origin ${m.ref} since it was logged (expected ${short(m.expected)}, found ${found})`;
  return `  ${m.path}: expected ${short(m.expected)}, found ${found}`;
}

/** A digest as shown in messages: its algorithm and the first 16 hex digits. */
export function short(digest: string): string {
  const shown = displayDigest(digest);
  return shown.slice(0, shown.indexOf(':') + 17);
}
