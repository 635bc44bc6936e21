import { CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { commitInputOf, onWritersHost } from './host-activities';
import { ACTIVITY_RETRY } from './retry-policies';
import type { LogArtifactInput, LogArtifactResult } from './types';

const { commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '5 minutes',
  retry: ACTIVITY_RETRY,
});

/**
 * Simple mode: stage the files on the host that has them, then commit one version. The commit's idempotency
 * key is the workflow id, so retries and replays never make a second version. A cancel (an interrupted client)
 * stops the staging; once the commit has begun it completes, so a cancel never leaves a version half made.
 */
export async function logArtifactWorkflow(input: LogArtifactInput): Promise<LogArtifactResult> {
  const { manifest, ...stage } = await onWritersHost(input, (host) => host.stageArtifact({ specDigest: input.specDigest }));
  const { version, created } = await CancellationScope.nonCancellable(() => commitVersion({ ...commitInputOf(input, manifest, 'log'), uses: input.uses }));
  return { version, created, stage };
}
