import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashFile, VersionDigest } from './blobs/digest';
import { readManifest, type ManifestEntry } from './manifest/manifest';
import { resolveInside } from './paths';
import type { VersionRecord } from './registry/registry';
import type { Store } from './store';
import { UsageError } from '../errors';

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

/** Re-hashes every stored file (and file:// reference) of a version and names each one that does not match. */
export async function verifyVersion(store: Store, version: VersionRecord): Promise<VerifyReport> {
  const mismatches: Mismatch[] = [];
  const canonical = new VersionDigest();
  let checked = 0;
  for await (const entry of readManifest(store.blobs, version.manifest.root)) {
    canonical.add(entry.path, entry.digest, entry.size);
    checked++;
    const actual = await actualDigest(store, entry);
    if (actual !== entry.digest) mismatches.push({ path: entry.path, expected: entry.digest, actual });
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

export interface DownloadResult {
  readonly directory: string;
  readonly files: number;
  readonly bytes: number;
}

/**
 * Writes every file of a version under `directory` (each atomically). Every path is resolved and proved to stay
 * inside `directory` before anything is written, so no manifest can make it write elsewhere.
 */
export async function downloadVersion(store: Store, version: VersionRecord, directory: string, onFile?: (done: number, total: number) => void): Promise<DownloadResult> {
  const planned: { entry: ManifestEntry; dest: string }[] = [];
  for await (const entry of readManifest(store.blobs, version.manifest.root)) planned.push({ entry, dest: resolveInside(directory, entry.path) });
  let bytes = 0;
  for (const [i, { entry, dest }] of planned.entries()) {
    if (entry.ref === undefined) {
      await store.blobs.copyTo(entry.digest, dest);
    } else if (entry.ref.startsWith('file://')) {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.copyFile(fileURLToPath(entry.ref), dest);
    } else {
      throw new UsageError(`Cannot download ${entry.path}: it is a reference to ${entry.ref}, which this store cannot fetch.`);
    }
    bytes += entry.size;
    onFile?.(i + 1, planned.length);
  }
  return { directory, files: planned.length, bytes };
}
