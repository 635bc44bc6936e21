import { Context } from '@temporalio/activity';
import { applyDraft, stageDraft, type DraftStageSummary } from '../store/drafts/draft-edits';
import { applyDraftOnLatest as applyOnLatest, type RebaseInput, type RebaseResult } from '../store/drafts/draft-rebase';
import type { EditResult } from '../store/manifest/manifest-edit';
import type { StageProgress } from '../store/staging/stager';
import type { Store } from '../store/store';

export interface StageDraftInput {
  /** Digest of the draft's spec blob. */
  readonly specDigest: string;
}

export interface ApplyDraftInput {
  readonly baseRoot: string;
  readonly editsDigest: string;
  /** `name:vN` of the base, for error messages. */
  readonly baseRef: string;
}

/**
 * Hashes and stores only the files a draft adds, on the host that has them; progress goes out as heartbeat
 * details and a retry picks up from them. Returns the digest of the draft's edits blob.
 */
export function createStageDraftActivity(store: () => Promise<Store>, maxBytesPerSecond: number | undefined) {
  return async function stageDraftAdds(input: StageDraftInput): Promise<{ editsDigest: string; stage: DraftStageSummary }> {
    const ctx = Context.current();
    const resume = ctx.info.heartbeatDetails as StageProgress | undefined;
    const s = await store();
    ctx.heartbeat(resume);
    return stageDraft(s, await s.getSpec(input.specDigest), {
      resume,
      maxBytesPerSecond,
      signal: ctx.cancellationSignal,
      onProgress: (progress) => ctx.heartbeat(progress),
    });
  };
}

/** Applies staged edits to the base manifest tree, writing only the chunks they touch. Store-only: runs anywhere. */
export function createApplyDraftActivity(store: () => Promise<Store>) {
  return async function applyDraftEdits(input: ApplyDraftInput): Promise<EditResult> {
    return applyDraft(await store(), input.baseRoot, input.editsDigest, input.baseRef);
  };
}

/**
 * Applies staged edits on `latest` when the draft's base is no longer latest and the changes do not overlap (else
 * refuses, or applies on the base if asked); on the base otherwise. Store-only: runs anywhere.
 */
export function createRebaseDraftActivity(store: () => Promise<Store>) {
  return async function applyDraftOnLatest(input: RebaseInput): Promise<RebaseResult> {
    return applyOnLatest(await store(), input);
  };
}
