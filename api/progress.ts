import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { awaitWithPolling } from './poll';
import type { StageProgress } from '../store/stager';

/**
 * Waits for a workflow's result, reporting the heartbeat details of its running staging activity to `onProgress`
 * as they change: the worker may be another process, so progress is read from Temporal, not from memory.
 */
export async function resultWithProgress<R>(handle: WorkflowHandle, onProgress?: (progress: StageProgress) => void): Promise<R> {
  const result = handle.result() as Promise<R>;
  if (!onProgress) return result;
  const probe = async (): Promise<StageProgress | undefined> => {
    const description = await handle.describe();
    for (const pending of description.raw.pendingActivities ?? []) {
      const payload = pending.heartbeatDetails?.payloads?.[0];
      if (payload) return defaultPayloadConverter.fromPayload<StageProgress | undefined>(payload);
    }
    return undefined;
  };
  return awaitWithPolling(result, probe, onProgress, 300);
}
