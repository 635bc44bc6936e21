import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { onWritersHost } from './host-activities';
import { DraftConflictError, UsageError, type ConflictDetails } from '../errors';
import { toFailure } from '../errors/failure';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { StageSummary } from './types';
import type { DraftAddress, UpsertArtifactInput, UpsertArtifactResult } from './draft-types';
import { draftWorkflowId } from './ids';

const { contributeToDraft, finishDraft } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: ACTIVITY_RETRY,
});

/** What a finish that brings no files of its own staged. */
const NOTHING_STAGED: StageSummary = { files: 0, bytes: 0, bytesWritten: 0, resumedBytes: 0, skipped: [] };

/**
 * One writer's upsert (or finish) of a collaborative artifact: stage its files on its own host, then hand the
 * manifest reference to the draft of `(name, distributedId)`, starting the draft if this writer is the first.
 * A conflict fails this workflow with a DraftConflictError naming both writers and the path.
 */
export async function upsertArtifactWorkflow(input: UpsertArtifactInput): Promise<UpsertArtifactResult> {
  const info = workflowInfo();
  const draft: DraftAddress = {
    workflowId: draftWorkflowId(input.name, input.distributedId),
    taskQueue: info.taskQueue,
    input: { name: input.name, type: input.type, distributedId: input.distributedId, ...input.draft },
  };
  const specDigest = input.specDigest;
  const { manifest, ...stage } = specDigest ? await onWritersHost(input, (host) => host.stageArtifact({ specDigest })) : { manifest: undefined, ...NOTHING_STAGED };

  if (input.finish) {
    const finished = await finishDraft({
      draft,
      updateId: `${info.workflowId}/${info.runId}/finish`,
      request: { type: input.type, writer: input.writer, ...input.finish, ...(manifest ? { manifest } : {}) },
    });
    return { outcome: null, stage, finished };
  }
  if (!manifest) throw toFailure(new UsageError('An upsert needs files: add some to the artifact before upserting it.'));
  // The run id keeps a later upsert that reuses this workflow id (same writer, same sequence) from getting this outcome.
  const [outcome] = await contributeToDraft({
    draft,
    updateId: `${info.workflowId}/${info.runId}/contribute`,
    request: { type: input.type, contributions: [{ writer: input.writer, manifest }] },
  });
  if (outcome?.status === 'conflict') {
    const details: ConflictDetails = {
      artifactName: input.name, distributedId: input.distributedId, path: outcome.path, writer: outcome.writer, digest: outcome.digest,
      otherWriter: outcome.otherWriter, otherDigest: outcome.otherDigest, ...(outcome.otherPath !== undefined ? { otherPath: outcome.otherPath } : {}),
    };
    throw toFailure(new DraftConflictError(details));
  }
  return { outcome: outcome ?? null, stage };
}

