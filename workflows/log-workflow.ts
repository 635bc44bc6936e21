import { CancellationScope, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { commitInputOf, onWritersHost } from './host-activities';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { LogArtifactInput, LogArtifactResult } from './types';

const { commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: ACTIVITY_RETRY,
});

// Local activities run by the worker of the workflow task itself, recorded as markers: no task to dispatch and no
// second workflow task. A commit is one registry transaction keyed by the workflow id, so running it again (a
// task that failed after the commit) returns the version the first run made.
const local = proxyLocalActivities<ArtifactActivities>({
  startToCloseTimeout: '5 minutes',
  retry: ACTIVITY_RETRY,
});

/** Since this change a log takes a finished early staging in its first task and commits as a local activity. */
export const LOCAL_LOG_PATCH = 'log-local-commit';

/**
 * Simple mode: stage the files on the host that has them, then commit one version. The commit's idempotency
 * key is the workflow id, so retries and replays never make a second version. A cancel (an interrupted client)
 * stops the staging; once the commit has begun it completes, so a cancel never leaves a version half made.
 *
 * A small artifact logged by a process with a worker is staged by the time its first workflow task runs there:
 * that task takes the staging's result and commits, so the whole log is one workflow task.
 */
export async function logArtifactWorkflow(input: LogArtifactInput): Promise<LogArtifactResult> {
  const fast = patched(LOCAL_LOG_PATCH);
  const early = fast ? await local.takeEarlyStage({ specDigest: input.specDigest }) : null;
  const { manifest, ...stage } = early ?? await onWritersHost(input, (host) => host.stageArtifact({ specDigest: input.specDigest }));
  const commit = fast ? local.commitVersion : commitVersion;
  const { version, created } = await CancellationScope.nonCancellable(() => commit({ ...commitInputOf(input, manifest, 'log'), uses: input.uses }));
  return { version, created, stage };
}
