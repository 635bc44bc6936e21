import type { BlobStore } from './blobs/blob-store';
import { decodeChunk, isLeaf } from './manifest/manifest-chunk';
import { LocalBlobStore } from './blobs/local-blob-store';
import { LocalBlobSweeper, type BlobSweeper } from './blobs/local-blob-sweep';
import { StepCache } from './registry/step-cache';
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
}

/**
 * Deletes blobs that no committed version (and no kept root) needs. Mark: walk every version's manifest tree,
 * skipping subtrees already seen (versions share most chunks). Sweep: an unreferenced blob goes only when it was
 * neither written nor reused within the grace period, and the delete itself re-checks that (see BlobSweeper), so
 * an upload running at the same time never loses a blob it wrote or deduplicated against.
 */
export async function collectGarbage(store: Store, options: GcOptions): Promise<GcReport> {
  const sweeper = sweeperOf(store.blobs);
  const now = options.now ?? Date.now();
  const cutoff = Math.min(now, options.keepNewerThan ?? Infinity) - options.graceMs;
  const marked = new Set<string>();
  const visited = new Set<string>();
  const versionRoots = await store.registry.manifestRoots();
  // Cached fan-out shards' files may be in no version yet (their fan-out failed): a re-run reuses them.
  const roots = [...versionRoots, ...(await new StepCache(store.registry.db).manifestRoots()), ...(options.keepRoots ?? [])];
  for (const root of roots) await mark(store.blobs, root, visited, marked);
  let scanned = 0;
  let young = 0;
  let deleted = 0;
  let deletedBytes = 0;
  let rescued = 0;
  for await (const digest of store.blobs.list()) {
    scanned++;
    if (marked.has(digest)) continue;
    const touched = await sweeper.touchedAt(digest);
    if (touched === undefined) continue;
    if (touched > cutoff) {
      young++;
      continue;
    }
    if (versionRoots.length === 0 && !options.allowEmptyRegistry) throw registryLooksReset(store, digest);
    await options.onCandidate?.(digest);
    if (options.dryRun) {
      deleted++;
      continue;
    }
    const freed = await sweeper.deleteIfUntouched(digest, cutoff);
    if (freed === undefined) {
      rescued++;
    } else {
      deleted++;
      deletedBytes += freed;
    }
  }
  const temp = await sweeper.sweepTemp(cutoff, options.dryRun === true);
  return { scanned, referenced: marked.size, young, deleted, deletedBytes, rescued, tempFiles: temp.files, tempBytes: temp.bytes };
}

/** Adds a tree's chunks and the stored files its entries name (references live elsewhere) to `marked`. */
async function mark(blobs: BlobStore, root: string, visited: Set<string>, marked: Set<string>): Promise<void> {
  if (visited.has(root)) return;
  visited.add(root);
  marked.add(root);
  const chunk = decodeChunk(await blobs.getBytes(root));
  if (isLeaf(chunk)) {
    for (const row of chunk.l) if (row.length === 3) marked.add(row[1]);
    return;
  }
  for (const row of chunk.n) await mark(blobs, row[4], visited, marked);
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
  throw new ConfigError(`artifacts gc supports the local blob store only; ${blobs.location} is not one. Use the object store's lifecycle rules there.`);
}
