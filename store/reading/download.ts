import path from 'node:path';
import { LocalBlobStore, prestartIngestThreads } from '../blobs/local-blob-store';
import { nativeHelper } from '../blobs/native';
import { readLeaves, type ManifestEntry } from '../manifest/manifest';
import { isInsideFolder, resolveInside } from '../paths';
import type { VersionRecord } from '../registry/registry';
import type { Store } from '../store';
import { isUnchecked, mismatchLine, type Mismatch } from './entry-bytes';
import { besidePlaced, type DownloadPlan } from './beside-placed';
import { stillPlaced } from './placed-check';
import { Placing } from './placing';
import { StatCache } from './stat-cache';
import { placedBytes, type PlacedFiles } from './state-table';
import { TargetFolder } from './target-folder';
import { markWriting, type WritingMark } from './writing-mark';
import { stateFileOf } from './read-state';
import { IntegrityError, StorageFullError, UsageError } from '../../errors';
import { errnoOf, isDiskFull } from '../../errors/file-errors';

export interface DownloadOptions {
  /** Only the entries whose path starts with this string (`images/` for a folder, `images/cat` for a name prefix). */
  readonly pathPrefix?: string | undefined;
  /** Checkout: also remove every file and folder under the target that is not in the version. */
  readonly removeStrays?: boolean | undefined;
  /**
   * Checkout into a folder no download wrote into before (or whose record was lost): remove its strays even so.
   * Without it such a checkout fails before writing anything, naming what it would remove.
   */
  readonly force?: boolean | undefined;
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
  const prefix = options.pathPrefix ?? '';
  const root = version.manifest.root;
  const absolute = path.resolve(directory);
  const cache = StatCache.open(store.home, absolute);
  let writing: WritingMark | undefined;
  try {
    const placed = cache.placedFiles(root, prefix);
    if (placed && stillPlaced(absolute, placed)) {
      // Only a checkout has anything to do in the folder then (remove strays).
      if (!options.removeStrays) return alreadyPlaced(undefined, cache, directory, placed, options);
      return await withTarget(directory, store.home, (target) => alreadyPlaced(target, cache, directory, placed, options));
    }
    // The threads that place files start while the manifest is read (unless the helper's own threads will do it all).
    if (needsIngestThreads(store)) void prestartIngestThreads();
    // A checkout looks at every file of the folder anyway: it takes the full road.
    const beside = options.removeStrays ? undefined : await besidePlaced(store, cache, { directory, absolute }, version, prefix);
    const plan = beside ?? (await fullPlan(store, absolute, root, prefix));
    const mark = (writing = markWriting(stateFileOf(store.home, absolute), absolute));
    return await withTarget(directory, store.home, (target) => {
      target.clearKilledPartials(mark.sweep);
      mark.swept();
      return placePlanned(new Placing(store, target, cache), version, { directory, prefix, ...plan }, options);
    });
  } catch (err) {
    throw diskFullIn(err, absolute, store.home);
  } finally {
    cache.save();
    // Only once the state is saved: a kill before then leaves the mark, and the next download looks for temp files.
    writing?.done();
  }
}

/**
 * Whether a download will likely place files through the ingest threads: one from the local store without the native
 * helper. With it, its calls place small files and large files' chunks on threads of their own; from a remote store
 * without it, files are placed on this thread. (A file the helper cannot check, such as one addressed by SHA-256,
 * still starts them when it comes to it.)
 */
function needsIngestThreads(store: Store): boolean {
  return !nativeHelper() && store.blobs instanceof LocalBlobStore;
}

async function withTarget<T>(directory: string, dataFolder: string, use: (target: TargetFolder) => T | Promise<T>): Promise<T> {
  const target = await TargetFolder.open(directory, dataFolder);
  try {
    return await use(target);
  } finally {
    target.close();
  }
}

/**
 * Every entry of the version under `prefix`, each path proved to stay inside the folder (its absolute path: a relative
 * one would be resolved again for every entry) before the folder is even created: a forged manifest writes nothing.
 */
async function fullPlan(store: Store, absolute: string, root: string, prefix: string): Promise<DownloadPlan> {
  const planned: ManifestEntry[] = [];
  let bytes = 0;
  for await (const leaf of readLeaves(store.blobs, root)) {
    for (const entry of leaf) {
      if (!entry.path.startsWith(prefix)) continue;
      resolveInside(absolute, entry.path);
      planned.push(entry);
      bytes += entry.size;
    }
  }
  return { toPlace: planned, paths: planned.map((e) => e.path), bytes, unchanged: 0 };
}

async function placePlanned(placing: Placing, version: VersionRecord, plan: DownloadPlan & { directory: string; prefix: string }, options: DownloadOptions): Promise<DownloadResult> {
  const { directory, prefix, toPlace, paths, unchanged } = plan;
  const { cache, target } = placing;
  const ref = `${version.name}:${version.version}`;
  if (options.removeStrays && !options.force && !cache.hasHistory) refuseUnknownStrays(target, ref, directory, paths);
  const files = paths.length;
  for (let i = 1; i <= unchanged; i++) options.onFile?.(i, files);
  cache.unmarkPlaced();
  await placing.placeAll(toPlace, options.onFile && ((done) => options.onFile!(unchanged + done, files)));
  const removed = options.removeStrays ? placing.removeAllBut(paths) : [];
  if (placing.mismatches.length > 0) throw downloadMismatch(ref, target.root, files, placing.mismatches);
  // A reference added without a checksum is fetched on every download: nothing can vouch for its bytes.
  if (!toPlace.some(isUnchecked)) cache.markPlaced(version.manifest.root, prefix, paths, plan.bytes);
  return { directory, files, bytes: plan.bytes, ...placing.counts, skipped: placing.counts.skipped + unchanged, removed };
}

/** The version was placed here in full and nothing changed since: every file is skipped (checkout still removes strays). */
function alreadyPlaced(target: TargetFolder | undefined, cache: StatCache, directory: string, placed: PlacedFiles, options: DownloadOptions): DownloadResult {
  const files = placed.paths.length;
  const bytes = placedBytes(placed);
  if (options.onFile) for (let i = 0; i < files; i++) options.onFile(i + 1, files);
  const removed = options.removeStrays && target ? target.removeAllBut(new Set(placed.paths)) : [];
  for (const p of removed) cache.forget(p);
  return { directory, files, bytes, fetched: 0, fetchedBytes: 0, skipped: files, hashed: 0, removed };
}

/**
 * A checkout into a folder no download wrote into before would remove files nobody said were disposable (a mistyped
 * `~`, a project folder): refused before anything is written, naming a few of them.
 */
function refuseUnknownStrays(target: TargetFolder, ref: string, directory: string, paths: readonly string[]): void {
  const strays = target.straysBesides(new Set(paths)).sort();
  if (strays.length === 0) return;
  const shown = strays.slice(0, 3).map((p) => JSON.stringify(p)).join(', ') + (strays.length > 3 ? `, and ${strays.length - 3} more` : '');
  throw new UsageError(`Checkout of ${ref} into ${directory} would remove ${strays.length === 1 ? 'a file or folder' : `${strays.length} files and folders`} ` +
    `no download put there (${shown}). Use \`artifacts download\` to add the version beside them, or checkout with --force ({ force: true }) to remove them.`);
}

function downloadMismatch(ref: string, directory: string, total: number, mismatches: readonly Mismatch[]): IntegrityError {
  const lines = mismatches.map(mismatchLine);
  return new IntegrityError(`${mismatches.length} of ${total} files of ${ref} do not match their digests and were not written to ${directory}:\n${lines.join('\n')}\n` +
    'The other files were written. Damaged stored blobs were set aside: log those files again from their originals to repair the store ' +
    '(a reference whose origin changed must be restored there, or logged again as a new version), then download again.');
}

/**
 * A full disk met while writing into the target folder (a write on an open file, or through a held folder's
 * `/proc/self/fd` name, names no path of it) as one sentence naming the folder; in the data folder (the stat cache),
 * naming that; any other error unchanged. What was written stays, and the next download does not write it again.
 */
function diskFullIn(err: unknown, directory: string, home: string): unknown {
  const errno = errnoOf(err);
  if (!errno || !isDiskFull(errno.code)) return err;
  if (errno.path !== undefined && isInsideFolder(errno.path, home)) return new StorageFullError(home, null, errno.code, 'free space there, then try again.');
  return new StorageFullError(directory, null, errno.code,
    'free space there or download to a folder on a larger disk, then try again (the files already written are kept, and not written again).');
}
