import { CancellationScope, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { commitInputOf, onWritersHost } from './host-activities';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { IncrementalInput, IncrementalResult } from './incremental-types';
import { ArtifactsError } from '../errors';
import { toFailure } from '../errors/failure';

const { applyDraftEdits, applyDraftOnLatest, commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: ACTIVITY_RETRY,
});

/** Histories from before stale drafts were rebased replay the one apply-and-commit they recorded. */
const REBASE_PATCH = 'rebase-stale-drafts';

/** Commits that may lose the race to a newer `latest` (each time the edits apply again on it) before giving up. */
const MAX_REBASES = 10;

type Committed = Omit<IncrementalResult, 'stage'>;

/**
 * Incremental mode: stage only the draft's added files on the host that has them, apply the draft to the base
 * manifest tree (rewriting only the chunks it touches), then commit a version that records its base. A draft whose
 * base is no longer `latest` applies on top of `latest` when the paths it changes were not changed since, fails
 * naming them when they were, or commits on its old base when asked (`onStale: 'branch'`). History holds digests
 * and counts only. The commit's idempotency key is the workflow id, so retries never add a version; once begun,
 * the commit completes even when the workflow is cancelled.
 */
export async function incrementalArtifactWorkflow(input: IncrementalInput): Promise<IncrementalResult> {
  const { editsDigest, stage } = await onWritersHost(input, (host) => host.stageDraftAdds({ specDigest: input.specDigest }));
  const committed = patched(REBASE_PATCH) ? await commitOnLatest(input, editsDigest) : await commitOnBase(input, editsDigest);
  return { ...committed, stage };
}

/** Applies the edits on `latest` (or, if asked, on the old base) and commits while `latest` is still what they were applied on. */
async function commitOnLatest(input: IncrementalInput, editsDigest: string): Promise<Committed> {
  for (let attempt = 1; ; attempt++) {
    const applied = await applyDraftOnLatest({
      name: input.name, baseIndex: input.baseIndex, baseRoot: input.baseRoot, editsDigest, onStale: input.onStale, idempotencyKey: `incremental:${workflowInfo().workflowId}`,
    });
    const { version, created, stale } = await CancellationScope.nonCancellable(() => commitVersion({
      ...commitInputOf(input, applied.manifest, 'incremental'), baseIndex: applied.onto, ...(applied.branched ? {} : { expectLatest: applied.latest }),
    }));
    if (!stale) {
      const { changes, chunksWritten, chunkBytes } = applied;
      return {
        version, created, basedOn: `v${input.baseIndex}`, previousLatest: `v${applied.latest}`, baseWasLatest: applied.latest === input.baseIndex,
        rebasedOnto: applied.onto === input.baseIndex ? null : `v${applied.onto}`, branched: applied.branched, overlapping: applied.overlapping,
        changes, chunksWritten, chunkBytes,
      };
    }
    if (attempt >= MAX_REBASES) {
      throw toFailure(new ArtifactsError(`${input.name}:latest moved ${MAX_REBASES} times while the draft of ${input.name}:v${input.baseIndex} was being applied on it; nothing was committed. Save the draft again.`));
    }
  }
}

/** Before REBASE_PATCH: apply on the base and commit, whatever `latest` is. */
async function commitOnBase(input: IncrementalInput, editsDigest: string): Promise<Committed> {
  const baseRef = `${input.name}:v${input.baseIndex}`;
  const { manifest, changes, chunksWritten, chunkBytes } = await applyDraftEdits({ baseRoot: input.baseRoot, editsDigest, baseRef });
  const { version, created } = await CancellationScope.nonCancellable(() => commitVersion({ ...commitInputOf(input, manifest, 'incremental'), baseIndex: input.baseIndex }));
  const previousIndex = created ? version.index - 1 : version.index;
  return {
    version, created, basedOn: `v${input.baseIndex}`, previousLatest: `v${previousIndex}`, baseWasLatest: previousIndex === input.baseIndex,
    rebasedOnto: null, branched: false, overlapping: [], changes, chunksWritten, chunkBytes,
  };
}
