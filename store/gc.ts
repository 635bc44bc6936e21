import type { BlobStore } from './blobs/blob-store';
import { decodeChunk, isLeaf } from './manifest/manifest-chunk';
import { chunksOf, isChunked, listBlobOf } from './blobs/chunked-files';
import { LocalBlobStore } from './blobs/local-blob-store';
import { LocalBlobSweeper, type BlobSweeper } from './blobs/local-blob-sweep';
import { StepCache } from './registry/step-cache';
import { CachedBlobStore } from './blobs/cached-blob-store';
import { S3BlobStore } from './blobs/s3-blob-store';
import { S3BlobSweeper } from './blobs/s3-blob-sweep';
import type { Store } from './store';
import { ConfigError } from '../errors';

export interface GcOptions {
  /** Blobs written or reused more recently than this are kept whatever refers to them (uploads in flight). */
  readonly graceMs: number;
  /**
   * The start (epoch ms) of the oldest write still running. Anything written or reused after it, or within the grace
   * period before it (the files a contribution staged before the draft it joins started), is kept.
   */
  readonly keepNewerThan?: number | undefined;
  /** Manifest roots to keep with everything they reference, beyond committed versions (live drafts). */
  readonly keepRoots?: readonly string[] | undefined;
  /** Report only; delete nothing. */
  readonly dryRun?: boolean | undefined;
  /**
   * Collect even when the registry records no version at all. Off by default: a registry that was deleted,
   * emptied or pointed at by the wrong URL looks exactly like that, and gc would then delete every blob.
   */
  readonly allowEmptyRegistry?: boolean | undefined;
  /** Called with each unreferenced blob old enough to go, before it is deleted. */
  readonly onCandidate?: ((digest: string) => Promise<void> | void) | undefined;
  readonly now?: number | undefined;
  /** Writes running when gc started: an object store (which cannot see a reuse) is not swept while there are any. */
  readonly runningWrites?: number | undefined;
  /** Whether a write started at or after this time (epoch ms): an object store's sweep is then put back (settle). */
  readonly writesStartedSince?: ((sinceMs: number) => Promise<boolean>) | undefined;
}

export interface GcReport {
  /** Blobs in the store, and how many are referenced (chunks and files of committed versions and kept roots). */
  readonly scanned: number;
  readonly referenced: number;
  /** Unreferenced, but written or reused within the grace period. */
  readonly young: number;
  readonly deleted: number;
  readonly deletedBytes: number;
  /** Candidates that a concurrent upload reused between the decision and the delete, so they stayed. */
  readonly rescued: number;
  /** Temp files of writes that ended without finishing (killed uploads), deleted like old unreferenced blobs. */
  readonly tempFiles: number;
  readonly tempBytes: number;
  /** True when an object store was not swept because writes were running (run gc again once they end). */
  readonly deferred: boolean;
}

/**
 * Deletes blobs that no committed version that is not deleted (and no kept root) needs. Mark: walk every version's
 * manifest tree, skipping subtrees already seen (versions share most chunks). Sweep: an unreferenced blob goes only
 * when it was neither written nor reused within the grace period, and the delete itself re-checks that (see
 * BlobSweeper), so an upload running at the same time never loses a blob it wrote or deduplicated against. An object
 * store cannot record reuse: it is swept only when no write runs, and its sweep is settled afterwards (settle).
 */
export async function collectGarbage(store: Store, options: GcOptions): Promise<GcReport> {
  const sweeper = sweeperOf(store.blobs);
  const now = options.now ?? Date.now();
  const cutoff = Math.min(now, options.keepNewerThan ?? Infinity) - options.graceMs;
  const marked = new Set<string>();
  const visited = new Set<string>();
  const versionRoots = await store.registry.manifestRoots();
  const registryEmpty = versionRoots.length === 0 && !(await store.registry.hasVersions());
  // Cached fan-out shards' files may be in no version yet (their fan-out failed): a re-run reuses them.
  const roots = [...versionRoots, ...(await new StepCache(store.registry.db).manifestRoots()), ...(options.keepRoots ?? [])];
  for (const root of roots) await mark(store.blobs, root, visited, marked);
  if (sweeper.needsQuiet && (options.runningWrites ?? 0) > 0) {
    return { ...EMPTY_SWEEP, referenced: marked.size, deferred: true };
  }
  const began = Date.now();
  const sweep = await sweepUnmarked(store, sweeper, marked, cutoff, { ...options, registryEmpty });
  if (sweeper.settle && !options.dryRun) {
    const restored = await settle(store, sweeper, began, options, { visited, marked });
    sweep.deleted -= restored.blobs;
    sweep.deletedBytes -= restored.bytes;
    sweep.rescued += restored.blobs;
  }
  const temp = await sweeper.sweepTemp(cutoff, options.dryRun === true);
  return { ...sweep, referenced: marked.size, tempFiles: temp.files, tempBytes: temp.bytes, deferred: false };
}

const EMPTY_SWEEP = { scanned: 0, young: 0, deleted: 0, deletedBytes: 0, rescued: 0, tempFiles: 0, tempBytes: 0 };

/** Deletes the unmarked blobs last touched before `cutoff`; counts what it saw. */
async function sweepUnmarked(
  store: Store, sweeper: BlobSweeper, marked: ReadonlySet<string>, cutoff: number, options: GcOptions & { registryEmpty: boolean },
): Promise<{ scanned: number; young: number; deleted: number; deletedBytes: number; rescued: number }> {
  const counts = { scanned: 0, young: 0, deleted: 0, deletedBytes: 0, rescued: 0 };
  for await (const digest of store.blobs.list()) {
    counts.scanned++;
    if (marked.has(digest)) continue;
    const touched = await sweeper.touchedAt(digest);
    if (touched === undefined) continue;
    if (touched > cutoff) {
      counts.young++;
      continue;
    }
    if (options.registryEmpty && !options.allowEmptyRegistry) throw registryLooksReset(store, digest);
    await options.onCandidate?.(digest);
    if (options.dryRun) {
      counts.deleted++;
      continue;
    }
    const freed = await sweeper.deleteIfUntouched(digest, cutoff);
    if (freed === undefined) {
      counts.rescued++;
    } else {
      counts.deleted++;
      counts.deletedBytes += freed;
    }
  }
  return counts;
}

/**
 * Ends an object store's sweep: when a write started while it ran, it may have found a blob present just before the
 * blob went to the trash, so everything goes back; otherwise only the blobs of versions committed since (by writes
 * that started and ended during the sweep) go back, and the rest of the trash is deleted.
 */
async function settle(
  store: Store, sweeper: BlobSweeper, began: number, options: GcOptions, seen: { visited: Set<string>; marked: Set<string> },
): Promise<{ blobs: number; bytes: number }> {
  // A minute of margin for clocks: versions are stamped by the host that committed them.
  const since = began - 60_000;
  if (await options.writesStartedSince?.(since)) return sweeper.settle!(() => true);
  for (const root of await store.registry.manifestRootsSince(new Date(since).toISOString())) await mark(store.blobs, root, seen.visited, seen.marked);
  return sweeper.settle!((digest) => seen.marked.has(digest));
}

/** Adds a tree's chunks and the stored files its entries name (references live elsewhere) to `marked`. */
async function mark(blobs: BlobStore, root: string, visited: Set<string>, marked: Set<string>): Promise<void> {
  if (visited.has(root)) return;
  visited.add(root);
  marked.add(root);
  const chunk = decodeChunk(await blobs.getBytes(root));
  if (isLeaf(chunk)) {
    for (const row of chunk.l) if (row.length === 3) await markFile(blobs, row[1], visited, marked);
    return;
  }
  for (const row of chunk.n) await mark(blobs, row[4], visited, marked);
}

/**
 * A stored file: its blob; for a file stored as chunks, its chunk list and every chunk in it (a hard-linked large
 * file is kept whole under its own digest, and has no list). A list that cannot be read keeps what is there.
 */
async function markFile(blobs: BlobStore, digest: string, visited: Set<string>, marked: Set<string>): Promise<void> {
  marked.add(digest);
  if (!isChunked(digest) || visited.has(digest)) return;
  visited.add(digest);
  marked.add(listBlobOf(digest));
  if (!(await blobs.has(listBlobOf(digest)))) return;
  for (const chunk of await chunksOf(blobs, digest)) marked.add(chunk.digest);
}

function registryLooksReset(store: Store, digest: string): ConfigError {
  return new ConfigError(
    `gc refused: the registry records no version at all, yet the blob store ${store.blobs.location} holds blobs older than the grace period (such as ${digest}). ` +
      'A registry that was deleted, emptied or replaced (or an ARTIFACTS_REGISTRY pointing at the wrong database) looks like this, and gc would delete every blob. ' +
      'Restore the registry (or fix ARTIFACTS_REGISTRY); if no version should exist, run `artifacts gc --allow-empty-registry`.',
  );
}

function sweeperOf(blobs: BlobStore): BlobSweeper {
  if (blobs instanceof LocalBlobStore) return new LocalBlobSweeper(blobs);
  if (blobs instanceof S3BlobStore) return new S3BlobSweeper(blobs);
  // This host's read cache of a remote store drops what gc deletes there (other hosts' caches age out).
  if (blobs instanceof CachedBlobStore && blobs.remote instanceof S3BlobStore) return new S3BlobSweeper(blobs.remote, (digest) => blobs.cache.drop(digest));
  throw new ConfigError(`artifacts gc supports the local and S3 blob stores; ${blobs.location} is neither.`);
}
