import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { fromFailure, toFailure } from '../errors/failure';
import type { ContributionOutcome } from '../store/drafts/draft-merge';
import type { ContributeRequest, DraftAddress, FinishRequest, FinishResult } from '../workflows/draft-types';

/** Update names of the draft workflow (kept here as strings: activities must not import workflow code). */
export const CONTRIBUTE_UPDATE = 'contribute';
export const FINISH_UPDATE = 'finish';

export interface ContributeInput {
  readonly draft: DraftAddress;
  readonly request: ContributeRequest;
  /** Deterministic per caller, so a retried activity is deduplicated by the draft run that took it first. */
  readonly updateId: string;
}

export interface FinishInput {
  readonly draft: DraftAddress;
  readonly request: FinishRequest;
  readonly updateId: string;
}

/**
 * Workflows cannot send updates, so these activities do it for them with the worker's client: they start the
 * draft if it is not running (update-with-start) and wait for its answer. A refusal from the draft (conflict,
 * committed, expired) comes back as a non-retryable failure of the same type and details.
 */
export function createDraftClientActivities() {
  return {
    async contributeToDraft(input: ContributeInput): Promise<ContributionOutcome[]> {
      return send<ContributionOutcome[]>(CONTRIBUTE_UPDATE, input.draft, input.request, input.updateId);
    },
    async finishDraft(input: FinishInput): Promise<FinishResult> {
      return send<FinishResult>(FINISH_UPDATE, input.draft, input.request, input.updateId);
    },
  };
}

async function send<R>(update: string, draft: DraftAddress, request: unknown, updateId: string): Promise<R> {
  const client = Context.current().client;
  const startWorkflowOperation = new WithStartWorkflowOperation('artifactDraftWorkflow', {
    workflowId: draft.workflowId,
    taskQueue: draft.taskQueue,
    args: [draft.input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return (await client.workflow.executeUpdateWithStart(update, { args: [request], updateId, startWorkflowOperation })) as R;
  } catch (err) {
    // The draft's answer is final: another attempt would get the same one.
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw toFailure(fromFailure(err), { nonRetryable: true });
    throw err;
  }
}
