import { continueAsNew, setHandler } from '@temporalio/workflow';
import { OpenDraft } from './open-draft';
import { abortUpdate, contributeUpdate, draftStatusQuery, finishUpdate, type DraftInput, type DraftResult } from './draft-types';

/**
 * Collaborative mode: the one draft of `(name, distributedId)`. Writers send contributions (manifest references
 * of files they staged on their own hosts); the draft merges them in batches through an activity, answering
 * each writer at once with merged, duplicate or conflict. A finish commits the merged manifest exactly once
 * (the commit is keyed by this workflow id, so a draft reopened after its commit finds the version again).
 * Nobody finishing means the draft expires; an abort ends it at once, also without a commit. Before history limits it continues as new, handing over only
 * manifest roots and counters.
 */
export async function artifactDraftWorkflow(input: DraftInput): Promise<DraftResult> {
  const draft = new OpenDraft(input);
  setHandler(contributeUpdate, (request) => draft.contribute(request));
  setHandler(finishUpdate, (request) => draft.finish(request));
  setHandler(draftStatusQuery, () => draft.status());
  setHandler(abortUpdate, (request) => draft.abort(request));

  await draft.findEarlierCommit();
  while (!draft.committed) {
    if (!(await draft.waitForWork())) {
      draft.expire();
      break;
    }
    if (draft.aborted) break;
    if (await draft.step()) continue;
    // Time to continue as new: answer every update already taken first (their ids do not carry over).
    await draft.answerTakenUpdates();
    if (draft.committed) break;
    await continueAsNew<typeof artifactDraftWorkflow>({ ...input, state: draft.handover() });
  }
  return draft.close();
}
