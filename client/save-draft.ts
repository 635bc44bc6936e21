import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { fromFailure } from '../errors/failure';
import { stagedVersionInput, type ArtifactContent, type LogOptions } from './log';
import { resultWithProgress } from './progress';
import type { Session } from './session';
import type { VersionRecord } from '../store/registry/registry';
import { incrementalWorkflowId } from '../workflows/ids';
import type { incrementalArtifactWorkflow } from '../workflows/incremental-workflow';
import type { IncrementalInput, IncrementalResult } from '../workflows/incremental-types';
import { metadataRef, withStoredMetadata } from './metadata';

/** How a draft is saved: a log's options, and what to do when its base is no longer `latest` and overlaps newer changes. */
export interface SaveDraftOptions extends LogOptions {
  /**
   * A draft whose base is no longer `latest` is applied on top of `latest` when the paths it changes were not
   * changed since. When they were, the save fails with a StaleDraftError naming them (`rebase`, the default), or
   * commits on the old base, without the newer changes, and says so (`branch`).
   */
  readonly onStale?: 'rebase' | 'branch';
}

/** What saving needs of a Draft: its content, the version it starts from and the id that names its saves. */
export interface DraftContent extends ArtifactContent {
  readonly base: VersionRecord;
  readonly draftId: string;
}

/**
 * Incremental mode: commits a draft through the incremental workflow. The workflow id is the draft's id plus its
 * spec digest: saving the same draft again attaches to (or returns) the same version, while a draft changed since
 * gets a new one. Returns the workflow's result; the Draft makes the SavedDraft of it.
 */
export async function saveDraft(session: Session, runId: string, draft: DraftContent, options: SaveDraftOptions): Promise<IncrementalResult> {
  const store = await session.store();
  const metadata = await metadataRef(store, draft.metadata, `the draft of ${JSON.stringify(draft.name)}`);
  const specDigest = await store.putSpec(draft.spec());
  const input: IncrementalInput = {
    ...stagedVersionInput(session, runId, draft, specDigest, metadata, options),
    baseIndex: draft.base.index,
    baseRoot: draft.base.manifest.root,
    ...(options.onStale ? { onStale: options.onStale } : {}),
  };
  const workflowId = incrementalWorkflowId(draft.name, draft.draftId, specDigest);
  const client = session.connections.client;
  try {
    let handle;
    try {
      handle = await client.workflow.start<typeof incrementalArtifactWorkflow>('incrementalArtifactWorkflow', { taskQueue: session.config.taskQueue, workflowId, args: [input] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      handle = client.workflow.getHandle<typeof incrementalArtifactWorkflow>(workflowId);
    }
    const result = await session.track(`save of a draft of ${draft.name}:v${draft.base.index}`, handle, resultWithProgress<IncrementalResult>(handle, options.onProgress));
    return { ...result, version: await withStoredMetadata(store, result.version) };
  } catch (err) {
    throw fromFailure(err);
  }
}
