import { RecentBlobs, withRecentBlobs } from '../store/blobs/recent-blobs';
import { mergeContributions, type Contribution, type DraftIndex, type MergeResult } from '../store/drafts/draft-merge';
import type { VersionRecord } from '../store/registry/registry';
import type { Store } from '../store/store';

export interface MergeDraftInput {
  readonly index: DraftIndex;
  readonly contributions: readonly Contribution[];
  /** Check only: write nothing (a late finish tested against the committed version). */
  readonly dryRun?: boolean;
}

/** The manifest chunks a worker keeps for the drafts it merges. */
export const MERGE_CACHE_BYTES = 16 << 20;

/**
 * Store-side work of a collaborative draft. Merging reads and writes manifest trees in the blob store, so the
 * draft workflow only ever holds their roots.
 */
export function createDraftActivities(store: () => Promise<Store>) {
  // Each batch edits the chunks the one before wrote (a draft's writers keep adding to the same few leaves): kept
  // here, they are read back from memory, not the store. 16 MiB holds the ~3 MiB a batch of a 1M-entry draft touches.
  const recent = new RecentBlobs(MERGE_CACHE_BYTES);
  return {
    async mergeDraft(input: MergeDraftInput): Promise<MergeResult> {
      const s = await store();
      return mergeContributions(withRecentBlobs(s.blobs, recent), input.index, input.contributions, input.dryRun ? { dryRun: true } : {});
    },

    /** The version a draft committed under this idempotency key, if it did (a draft reopened after its commit). */
    async findDraftCommit(input: { idempotencyKey: string }): Promise<VersionRecord | null> {
      const s = await store();
      return (await s.registry.findCommit(input.idempotencyKey)) ?? null;
    },
  };
}
