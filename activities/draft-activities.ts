import { RecentBlobs, withRecentBlobs } from '../store/blobs/recent-blobs';
import { mergeContributions, type Contribution, type DraftIndex, type MergeResult } from '../store/drafts/draft-merge';
import type { VersionRecord } from '../store/registry/registry';
import type { Store } from '../store/store';

export interface MergeDraftInput {
  readonly index: DraftIndex;
  readonly contributions: readonly Contribution[];
  /** Check only: write nothing (a late finish tested against the committed version). */
  readonly dryRun?: boolean;
  /** Fold the draft's pending entries into its files tree afterwards (before its commit). */
  readonly settle?: boolean;
}

/** The manifest chunks a worker keeps for the drafts it merges. */
export const MERGE_CACHE_BYTES = 8 << 20;

/**
 * Store-side work of a collaborative draft. Merging reads and writes manifest trees in the blob store, so the
 * draft workflow only ever holds their roots.
 */
export function createDraftActivities(store: () => Promise<Store>) {
  // Each batch edits the chunks the one before wrote (a draft's writers keep adding to the same few leaves): kept
  // here, they are read back from memory, and decoded once (manifest-chunk.ts), not read from the store. 8 MiB holds
  // the ~3 MiB a batch of a 1M-entry draft touches (its files tree's chunks on the batch's paths, and the pending tree).
  const recent = new RecentBlobs(MERGE_CACHE_BYTES);
  return {
    async mergeDraft(input: MergeDraftInput): Promise<MergeResult> {
      const s = await store();
      return mergeContributions(withRecentBlobs(s.blobs, recent), input.index, input.contributions, { dryRun: input.dryRun === true, settle: input.settle === true });
    },

    /** The version a draft committed under this idempotency key, if it did (a draft reopened after its commit). */
    async findDraftCommit(input: { idempotencyKey: string }): Promise<VersionRecord | null> {
      const s = await store();
      return (await s.registry.findCommit(input.idempotencyKey)) ?? null;
    },
  };
}
