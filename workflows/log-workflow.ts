import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { hostActivities, producerOf } from './host-activities';
import type { LogArtifactInput, LogArtifactResult } from './types';

const { commitVersion } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: ['TypeMismatchError', 'UsageError', 'AliasError'] },
});

/**
 * Simple mode: stage the files on the host that has them, then commit one version. The commit's idempotency
 * key is the workflow id, so retries and replays never make a second version.
 */
export async function logArtifactWorkflow(input: LogArtifactInput): Promise<LogArtifactResult> {
  const { stageArtifact } = hostActivities(input.hostQueue, input.heartbeatTimeoutMs);
  const info = workflowInfo();
  const { manifest, ...stage } = await stageArtifact({ specDigest: input.specDigest });
  const { version, created } = await commitVersion({
    name: input.name,
    type: input.type,
    manifest,
    aliases: input.aliases ?? [],
    description: input.description,
    metadata: input.metadata,
    idempotencyKey: `log:${info.workflowId}`,
    producer: producerOf(info, input.run),
    uses: input.uses,
  });
  return { version, created, stage };
}
