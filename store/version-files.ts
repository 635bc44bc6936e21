import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hashFile, sha256, VersionDigest } from './blobs/digest';
import { readManifest, type ManifestEntry } from './manifest/manifest';
import { resolveInside } from './paths';
import type { VersionRecord } from './registry/registry';
import type { Store } from './store';
import { TargetFolder } from './target-folder';
import { IntegrityError, UsageError } from '../errors';

export interface Mismatch {
  readonly path: string;
  readonly expected: string;
  /** The digest found, or `missing` when the bytes are gone. */
  readonly actual: string;
}

export interface VerifyReport {
  readonly ref: string;
  readonly ok: boolean;
  readonly checked: number;
  readonly mismatches: readonly Mismatch[];
  /** False when the manifest itself no longer hashes to the version digest. */
  readonly manifestOk: boolean;
}

/**
 * Re-hashes every stored file (and checksummed file:// reference) of a version and names each one that does not
 * match. A stored blob found damaged is set aside, so logging its content again writes it anew.
 */
export async function verifyVersion(store: Store, version: VersionRecord): Promise<VerifyReport> {
  const mismatches: Mismatch[] = [];
  const canonical = new VersionDigest();
  let checked = 0;
  for await (const entry of readManifest(store.blobs, version.manifest.root)) {
    canonical.add(entry.path, entry.digest, entry.size);
    checked++;
    if (isUnchecked(entry)) continue;
    const actual = await actualDigest(store, entry);
    if (actual !== entry.digest) mismatches.push(await damaged(store, entry, actual));
  }
  const manifestOk = canonical.digest() === version.digest;
  return { ref: `${version.name}:${version.version}`, ok: manifestOk && mismatches.length === 0, checked, mismatches, manifestOk };
}

async function actualDigest(store: Store, entry: ManifestEntry): Promise<string> {
  try {
    if (entry.ref === undefined) return await store.blobs.hashStored(entry.digest);
    if (!entry.ref.startsWith('file://')) return entry.digest;
    return (await hashFile(fileURLToPath(entry.ref))).digest;
  } catch {
    return 'missing';
  }
}

/** A reference added with `checksum: false`: its digest names the URI, not bytes, so its bytes cannot be checked. */
function isUnchecked(entry: ManifestEntry): boolean {
  return entry.ref !== undefined && entry.size === 0 && entry.digest === sha256(entry.ref);
}

/** Records a mismatch, setting a damaged stored blob aside (a missing one, or a reference, has nothing to set aside). */
async function damaged(store: Store, entry: ManifestEntry, actual: string): Promise<Mismatch> {
  if (entry.ref === undefined && actual !== 'missing') await store.blobs.setAsideDamaged(entry.digest);
  return { path: entry.path, expected: entry.digest, actual };
}

export interface DownloadResult {
  readonly directory: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Writes every file of a version under `directory`, never outside it: every path is proved to stay inside before
 * anything is written, and no symlink in the folder is followed (see TargetFolder). Every byte is hashed on the
 * way; a file whose bytes do not match its digest is not written (not even under a temp name), the others are, and
 * the download then fails with an IntegrityError naming each one.
 */
export async function downloadVersion(store: Store, version: VersionRecord, directory: string, onFile?: (done: number, total: number) => void): Promise<DownloadResult> {
  const planned: ManifestEntry[] = [];
  for await (const entry of readManifest(store.blobs, version.manifest.root)) {
    resolveInside(directory, entry.path);
    planned.push(entry);
  }
  const target = await TargetFolder.open(directory);
  const mismatches: Mismatch[] = [];
  let bytes = 0;
  try {
    for (const [i, entry] of planned.entries()) {
      const actual = await writeEntry(store, target, entry);
      if (actual === entry.digest) bytes += entry.size;
      else mismatches.push(await damaged(store, entry, actual));
      onFile?.(i + 1, planned.length);
    }
  } finally {
    target.close();
  }
  if (mismatches.length > 0) throw downloadMismatch(`${version.name}:${version.version}`, target.root, planned.length, mismatches);
  return { directory, files: planned.length, bytes };
}

/** Writes one entry if its bytes match; returns the digest read (`missing` when there were none). */
async function writeEntry(store: Store, target: TargetFolder, entry: ManifestEntry): Promise<string> {
  let source: AsyncIterable<Uint8Array>;
  if (entry.ref === undefined) source = store.blobs.read(entry.digest);
  else if (entry.ref.startsWith('file://')) source = createReadStream(fileURLToPath(entry.ref), { highWaterMark: 8 << 20 }) as AsyncIterable<Buffer>;
  else throw new UsageError(`Cannot download ${entry.path}: it is a reference to ${entry.ref}, which this store cannot fetch.`);
  const expected = isUnchecked(entry) ? undefined : { digest: entry.digest, size: entry.size };
  try {
    const written = await target.write(entry.path, source, expected);
    return expected && (written.digest !== expected.digest || written.size !== expected.size) ? written.digest : entry.digest;
  } catch (err) {
    if (err instanceof IntegrityError || (entry.ref !== undefined && (err as NodeJS.ErrnoException).code === 'ENOENT')) return 'missing';
    throw err;
  }
}

function downloadMismatch(ref: string, directory: string, total: number, mismatches: readonly Mismatch[]): IntegrityError {
  const lines = mismatches.map((m) => `  ${m.path}: expected sha256:${m.expected.slice(0, 16)}, found ${m.actual === 'missing' ? 'no bytes' : `sha256:${m.actual.slice(0, 16)}`}`);
  return new IntegrityError(`${mismatches.length} of ${total} files of ${ref} do not match their digests and were not written to ${directory}:\n${lines.join('\n')}\n` +
    'The other files were written. Damaged stored blobs were set aside: log those files again from their originals to repair the store ' +
    '(a changed file:// reference must be restored at its location), then download again.');
}
