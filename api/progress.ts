import { defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import type { StageProgress } from '../store/stager';

/**
 * Waits for a workflow's result, reporting the heartbeat details of its running staging activity to `onProgress`
 * as they change: the worker may be another process, so progress is read from Temporal, not from memory.
 */
export async function resultWithProgress<R>(handle: WorkflowHandle, onProgress?: (progress: StageProgress) => void): Promise<R> {
  const result = handle.result() as Promise<R>;
  if (!onProgress) return result;
  let finished = false;
  const poll = (async () => {
    let last = '';
    while (!finished) {
      await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
      if (finished) break;
      try {
        const description = await handle.describe();
        for (const pending of description.raw.pendingActivities ?? []) {
          const payload = pending.heartbeatDetails?.payloads?.[0];
          if (!payload) continue;
          const progress = defaultPayloadConverter.fromPayload<StageProgress | undefined>(payload);
          const key = JSON.stringify([progress?.filesDone, progress?.bytesDone]);
          if (progress && key !== last) {
            last = key;
            onProgress(progress);
          }
        }
      } catch {
        // Progress is best effort; the result below is what counts.
      }
    }
  })();
  try {
    return await result;
  } finally {
    finished = true;
    await poll;
  }
}
