import { ActivityFailure, proxyActivities, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import type { ManifestRef } from '../store/manifest/manifest';
import { HOST_RETRY } from './retry-policies';
import type { Producer, StagedVersionInput, WorkflowCaller } from './types';

/**
 * Activities that read a writer's local files, scheduled on that writer's host queue so every retry lands where
 * the files are. A dead worker is noticed within the heartbeat timeout; the retry resumes from the last heartbeat.
 * With a schedule-to-start timeout, an attempt no worker takes up in time fails the write (see NoWorkerError).
 */
export function hostActivities(hostQueue: string, heartbeatTimeoutMs: number | undefined, scheduleToStartTimeoutMs?: number) {
  return proxyActivities<ArtifactActivities>({
    taskQueue: hostQueue,
    startToCloseTimeout: '7 days',
    // Unset unless configured: runs without it replay with the options they were scheduled with.
    ...(scheduleToStartTimeoutMs ? { scheduleToStartTimeout: scheduleToStartTimeoutMs } : {}),
    heartbeatTimeout: heartbeatTimeoutMs ?? 30_000,
    retry: HOST_RETRY,
  });
}

/** Where a writer's files are: its host's queue, its process's own queue (tried first) and the timeouts. */
export interface FilePlacement {
  readonly hostQueue: string;
  readonly processQueue?: string;
  readonly heartbeatTimeoutMs?: number;
  readonly scheduleToStartTimeoutMs?: number;
}

/**
 * Runs a writer's file work on its own process's queue when it has one; if no worker takes an attempt up there in
 * time (the process died; its in-process worker was the only poller), the work moves to its host's queue, where
 * any `artifacts worker` on that host finishes it. Short-lived processes thus never take up other runs' file work.
 */
export async function onWritersHost<R>(placement: FilePlacement, work: (activities: ReturnType<typeof hostActivities>) => Promise<R>): Promise<R> {
  if (placement.processQueue) {
    const processGoneMs = Math.max(10_000, 3 * (placement.heartbeatTimeoutMs ?? 30_000));
    try {
      return await work(hostActivities(placement.processQueue, placement.heartbeatTimeoutMs, processGoneMs));
    } catch (err) {
      if (!(err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START')) throw err;
    }
  }
  return work(hostActivities(placement.hostQueue, placement.heartbeatTimeoutMs, placement.scheduleToStartTimeoutMs));
}

/** Who made a version: this workflow run, the user-level run when there is one, and the user's workflow that asked. */
export function producerOf(info: { readonly workflowId: string; readonly runId: string }, run: string | undefined, caller?: WorkflowCaller): Producer {
  return { workflowId: info.workflowId, runId: info.runId, ...(run ? { run } : {}), ...(caller ? { caller } : {}) };
}

/** The commit of a staged version: the input's name, type, aliases and metadata, keyed by this workflow's id. */
export function commitInputOf(input: StagedVersionInput, manifest: ManifestRef, keyPrefix: string) {
  const info = workflowInfo();
  return {
    name: input.name,
    type: input.type,
    manifest,
    aliases: input.aliases ?? [],
    description: input.description,
    metadata: input.metadata,
    ...(input.metadataDigest ? { metadataDigest: input.metadataDigest } : {}),
    ...(input.ttlMs !== undefined ? { ttlMs: input.ttlMs } : {}),
    idempotencyKey: `${keyPrefix}:${info.workflowId}`,
    producer: producerOf(info, input.run, input.caller),
  };
}
