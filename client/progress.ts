import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { awaitWithPolling } from './poll';
import type { StageProgress } from '../store/staging/stager';

/**
 * Waits for a workflow's result, reporting the heartbeat details of its running staging activity to `onProgress`
 * as they change: the worker may be another process, so progress is read from Temporal, not from memory.
 */
export async function resultWithProgress<R>(handle: WorkflowHandle, onProgress?: (progress: StageProgress) => void): Promise<R> {
  const result = handle.result() as Promise<R>;
  if (!onProgress) return result;
  return awaitWithPolling(result, () => stagingProgress(handle), onProgress, 300);
}

/** The progress a workflow's running staging activity last heartbeated, if it has one. */
export async function stagingProgress(handle: WorkflowHandle): Promise<StageProgress | undefined> {
  const description = await handle.describe();
  for (const pending of description.raw.pendingActivities ?? []) {
    const payload = pending.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const progress = defaultPayloadConverter.fromPayload<StageProgress | undefined>(payload);
    if (progress && typeof progress.bytesTotal === 'number') return progress;
  }
  return undefined;
}
