import { VersionDigest } from './blobs/digest';
import { damagedChunks, isChunked } from './blobs/chunked-files';
import { hashOrigin } from './references/origin';
import { readManifest, type ManifestEntry } from './manifest/manifest';
import { isUnchecked, mismatchOf, type Mismatch } from './reading/entry-bytes';
import type { VersionRecord } from './registry/registry';
import type { Store } from './store';

export type { Mismatch } from './reading/entry-bytes';
export { downloadVersion, type DownloadOptions, type DownloadResult } from './reading/download';

export interface VerifyReport {
  readonly ref: string;
  readonly ok: boolean;
  readonly checked: number;
  readonly mismatches: readonly Mismatch[];
  /** False when the manifest itself no longer hashes to the version digest. */
  readonly manifestOk: boolean;
}

/**
 * Re-hashes every stored file (and checksummed reference, at its origin) of a version and names each one that does not
 * match. A stored blob found damaged is set aside, so logging its content again writes it anew.
 */
export async function verifyVersion(store: Store, version: VersionRecord): Promise<VerifyReport> {
  const mismatches: Mismatch[] = [];
  // Re-hashed in the algorithm the version was made with (bare hex: SHA-256, before digests named theirs).
  const canonical = new VersionDigest(version.digest);
  let checked = 0;
  for await (const entry of readManifest(store.blobs, version.manifest.root)) {
    canonical.add(entry.path, entry.digest, entry.size);
    checked++;
    if (isUnchecked(entry)) continue;
    const actual = await actualDigest(store, entry);
    if (actual === entry.digest) continue;
    // Named before the damaged chunks are set aside (mismatchOf), which would leave them only missing.
    const chunks = entry.ref === undefined && isChunked(entry.digest) ? await chunkProblems(store, entry.digest) : undefined;
    const mismatch = await mismatchOf(store, entry, actual);
    mismatches.push(chunks ? { ...mismatch, chunks } : mismatch);
  }
  const manifestOk = canonical.digest() === version.digest;
  return { ref: `${version.name}:${version.version}`, ok: manifestOk && mismatches.length === 0, checked, mismatches, manifestOk };
}

async function actualDigest(store: Store, entry: ManifestEntry): Promise<string> {
  try {
    if (entry.ref === undefined) return await store.blobs.hashStored(entry.digest);
    return (await hashOrigin(entry.ref, entry.digest)).digest;
  } catch {
    return 'missing';
  }
}

/** Which chunks of a chunked file are damaged or missing, as `chunk N (bytes A-B, blake3:...): found ...`. */
async function chunkProblems(store: Store, digest: string): Promise<string[]> {
  try {
    return (await damagedChunks(store.blobs, digest)).map((c) =>
      `chunk ${c.index} (bytes ${c.offset}-${c.offset + c.size - 1}, ${c.digest}): ${c.actual === 'missing' ? 'missing' : `holds ${c.actual}`}`);
  } catch (err) {
    return [`its chunk list: ${(err as Error).message}`];
  }
}
