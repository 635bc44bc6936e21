import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { commitInputOf, onWritersHost } from './host-activities';
import { ACTIVITY_RETRY } from './retry-policies';
import type { IncrementalInput, IncrementalResult } from './incremental-types';

const { applyDraftEdits, commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '30 minutes',
  retry: ACTIVITY_RETRY,
});

/**
 * Incremental mode: stage only the draft's added files on the host that has them, apply the draft to the base
 * manifest tree (rewriting only the chunks it touches), then commit a version that records its base. History
 * holds digests and counts only. The commit's idempotency key is the workflow id, so retries never add a version;
 * once begun, the commit completes even when the workflow is cancelled.
 */
export async function incrementalArtifactWorkflow(input: IncrementalInput): Promise<IncrementalResult> {
  const { editsDigest, stage } = await onWritersHost(input, (host) => host.stageDraftAdds({ specDigest: input.specDigest }));
  const baseRef = `${input.name}:v${input.baseIndex}`;
  const { manifest, changes, chunksWritten, chunkBytes } = await applyDraftEdits({ baseRoot: input.baseRoot, editsDigest, baseRef });
  const { version, created } = await CancellationScope.nonCancellable(() => commitVersion({ ...commitInputOf(input, manifest, 'incremental'), baseIndex: input.baseIndex }));
  const previousIndex = created ? version.index - 1 : version.index;
  return {
    version,
    created,
    basedOn: `v${input.baseIndex}`,
    previousLatest: `v${previousIndex}`,
    baseWasLatest: previousIndex === input.baseIndex,
    changes,
    stage,
    chunksWritten,
    chunkBytes,
  };
}
