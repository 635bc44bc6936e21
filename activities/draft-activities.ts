import { mergeContributions, type Contribution, type DraftIndex, type MergeResult } from '../store/drafts/draft-merge';
import type { VersionRecord } from '../store/registry/registry';
import type { Store } from '../store/store';

export interface MergeDraftInput {
  readonly index: DraftIndex;
  readonly contributions: readonly Contribution[];
  /** Check only: write nothing (a late finish tested against the committed version). */
  readonly dryRun?: boolean;
}

/**
 * Store-side work of a collaborative draft. Merging reads and writes manifest trees in the blob store, so the
 * draft workflow only ever holds their roots.
 */
export function createDraftActivities(store: () => Promise<Store>) {
  return {
    async mergeDraft(input: MergeDraftInput): Promise<MergeResult> {
      const s = await store();
      return mergeContributions(s.blobs, input.index, input.contributions, input.dryRun ? { dryRun: true } : {});
    },

    /** The version a draft committed under this idempotency key, if it did (a draft reopened after its commit). */
    async findDraftCommit(input: { idempotencyKey: string }): Promise<VersionRecord | null> {
      const s = await store();
      return (await s.registry.findCommit(input.idempotencyKey)) ?? null;
    },
  };
}
