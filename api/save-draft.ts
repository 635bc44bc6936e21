import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Artifact } from './artifact';
import { SavedDraft } from './artifact-version';
import type { Draft } from './draft';
import { unwrapFailure } from './failures';
import { resultWithProgress } from './progress';
import type { LogOptions } from './run';
import type { Session } from './session';
import { hostQueueOf } from '../runtime/config';
import type { incrementalArtifactWorkflow } from '../workflows/incremental-workflow';
import type { IncrementalInput, IncrementalResult } from '../workflows/incremental-types';

/** Tells a Draft from an Artifact without importing the Draft class (which would close an import cycle). */
export function isDraft(artifact: Artifact | Draft): artifact is Draft {
  return 'draftId' in artifact;
}

/**
 * Commits a draft through the incremental workflow. The workflow id is the draft's id plus its spec digest: saving
 * the same draft again attaches to (or returns) the same version, while a draft changed since gets a new one.
 */
export async function saveDraft(session: Session, runId: string, draft: Draft, options: LogOptions): Promise<SavedDraft> {
  const store = await session.store();
  const specDigest = await store.putSpec(draft.spec());
  const input: IncrementalInput = {
    name: draft.name,
    type: draft.type,
    baseIndex: draft.base.index,
    baseRoot: draft.base.manifest.root,
    specDigest,
    hostQueue: hostQueueOf(session.config),
    aliases: options.aliases ?? [],
    ...(draft.description !== undefined ? { description: draft.description } : {}),
    metadata: draft.metadata,
    run: runId,
    heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
  };
  const workflowId = `artifacts/incremental/${draft.name}/${draft.draftId}/${specDigest.slice(0, 16)}`;
  const client = session.connections.client;
  try {
    let handle;
    try {
      handle = await client.workflow.start<typeof incrementalArtifactWorkflow>('incrementalArtifactWorkflow', { taskQueue: session.config.taskQueue, workflowId, args: [input] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      handle = client.workflow.getHandle<typeof incrementalArtifactWorkflow>(workflowId);
    }
    const result = await resultWithProgress<IncrementalResult>(handle, options.onProgress);
    return new SavedDraft(result, session.store);
  } catch (err) {
    throw unwrapFailure(err);
  }
}
