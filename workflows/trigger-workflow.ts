import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { continueAsNew, ParentClosePolicy, proxyActivities, startChild, upsertMemo, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { pipelineWorkflowId } from './ids';
import { pipelineWorkflow } from './pipeline-workflow';
import { DEPLOYMENT_MEMO, memoOf, type ArtifactTriggerInput, type LastRun } from './trigger-types';

// A long poll: the activity answers on a change or after a minute, heartbeating meanwhile; retried while the
// registry is unreachable, for as long as the deployment lasts.
const { waitForArtifact } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * `concurrency: latest`: a change is answered once no newer version came for this long, so a burst of versions
 * (a loop logging checkpoints, a script logging several datasets) starts one run, for its newest.
 */
const SETTLE_MS = 10_000;
/** The long poll (a minute) and its settling must end within the activity's two minutes. */
const MAX_SETTLE_MS = 50_000;

/** Waits per watcher run before continuing as new, so its history stays short however long it is deployed. */
const WAITS_PER_RUN = 500;

/**
 * The durable watcher of an `on: artifact` trigger: each version of the name that appears (or each move of the
 * alias) starts one pipeline run, `<pipeline>-<artifact>-v<N>`, with `trigger.ref` set to that version; with
 * `concurrency: latest` only the newest of a burst (versions that came less than SETTLE_MS apart). Run ids derive from the version, so a
 * version never starts two runs. Runs are ordinary pipeline runs that outlive the watcher (undeploy stops
 * triggering, not the runs).
 */
export async function artifactTriggerWorkflow(input: ArtifactTriggerInput): Promise<void> {
  let seen = input.seen;
  let last = input.last;
  for (let i = 0; i < WAITS_PER_RUN && !workflowInfo().continueAsNewSuggested; i++) {
    // Only the activity's input changed with settleMs: the commands, and so replay, are the same as before it.
    const settleMs = input.concurrency === 'latest' ? Math.min(input.settleMs ?? SETTLE_MS, MAX_SETTLE_MS) : undefined;
    const change = await waitForArtifact({ name: input.artifact.name, alias: input.artifact.alias, seen, waitMs: 60_000, pollMs: input.pollMs ?? 1000, settleMs, project: input.run.project });
    const picked = input.concurrency === 'latest' ? change.fresh.slice(-1) : change.fresh;
    for (const index of picked) last = (await startRun(input, index)) ?? last;
    seen = change.current;
    if (picked.length > 0) upsertMemo({ [DEPLOYMENT_MEMO]: memoOf(input, last) });
  }
  await continueAsNew<typeof artifactTriggerWorkflow>({ ...input, seen, last });
}

async function startRun(input: ArtifactTriggerInput, index: number): Promise<LastRun | undefined> {
  const { name } = input.artifact;
  const ref = `${name}:v${index}`;
  const runId = `${input.run.pipeline.name}-${name}-v${index}`;
  const { runsDir, ...run } = input.run;
  try {
    await startChild(pipelineWorkflow, {
      workflowId: pipelineWorkflowId(runId),
      // The run is an ordinary run: it goes on when the watcher continues as new or is undeployed.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ ...run, runId, workDir: `${runsDir}/${runId}`, trigger: { ref } }],
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw err;
  }
  return { runId, ref, at: new Date().toISOString() };
}
