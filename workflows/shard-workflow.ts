import { ActivityFailure, TimeoutFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { ShardFailedError, UsageError } from '../errors';
import { fromFailure, toFailure } from '../errors/failure';
import { ACTIVITY_RETRY } from './retry-policies';
import type { ShardInput, ShardResult } from './fan-out-types';

// A local activity: the worker running this workflow task answers with its own host queue, in one marker event.
const { claimShardHost } = proxyLocalActivities<ArtifactActivities>({ startToCloseTimeout: '10 seconds' });
// The step cache is in the registry, which every worker reaches: any worker of the shared queue answers.
const { lookUpShard, recordShard } = proxyActivities<ArtifactActivities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

/** Claims that found their host gone before it started the shard; they do not use up the shard's attempts. */
const MAX_LOST_CLAIMS = 20;

/**
 * One shard of a fan-out, with the worker-specific task queue pattern: a worker claims the shard on the shared
 * queue and answers with its own host queue; the command and the staging of its outputs then run there, so the
 * files are read where they were written. If that worker is lost (no heartbeat) or the command fails, the shard
 * is claimed again, by whichever worker is alive, up to `attempts` times.
 */
export async function shardWorkflow(input: ShardInput): Promise<ShardResult> {
  if (!input.cache) return runShardAttempts(input);
  const scope = input.cache;
  const { key, hit } = await lookUpShard({ stepKey: scope.stepKey, index: input.index, count: input.count, item: input.command.item });
  if (hit) return { index: input.index, manifest: hit.manifest, files: hit.files, host: 'cache', attempts: 0, cached: true };
  const result = await runShardAttempts(input);
  // Best effort: a shard whose files could not be recorded only runs again next time.
  await recordShard({ key, pipeline: scope.pipeline, step: scope.step, run: scope.run, manifest: result.manifest, files: result.files }).catch(() => undefined);
  return result;
}

/** Claims a host and runs the shard there, again on whichever worker is alive when an attempt fails. */
async function runShardAttempts(input: ShardInput): Promise<ShardResult> {
  let lastError = 'no attempt ran';
  let lostClaims = 0;
  for (let attempt = 1; attempt <= input.attempts; attempt++) {
    const host = await claimShardHost();
    const { runShard } = proxyActivities<ArtifactActivities>({
      taskQueue: host,
      // A host that died after claiming never starts the shard: notice it about as fast as a lost heartbeat.
      scheduleToStartTimeout: Math.max(10_000, 3 * input.heartbeatTimeoutMs),
      startToCloseTimeout: '1 day',
      heartbeatTimeout: input.heartbeatTimeoutMs,
      retry: { maximumAttempts: 1 },
    });
    try {
      const out = await runShard({
        fanOutId: input.fanOutId, index: input.index, count: input.count, command: input.command, prefix: input.prefix, ...(input.uses ? { uses: input.uses } : {}),
      });
      return { index: input.index, manifest: out.manifest, files: out.files, host: out.host, attempts: attempt };
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : err;
      lastError = cause instanceof Error ? cause.message : String(cause);
      if (fromFailure(err) instanceof UsageError) break;
      if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START' && lostClaims++ < MAX_LOST_CLAIMS) attempt--;
    }
  }
  throw toFailure(new ShardFailedError(input.index, input.attempts, lastError));
}
