import type { Client } from '@temporalio/client';

/** A task queue and the kind of task the work waiting on it needs a worker for. */
export interface QueueNeed {
  readonly queue: string;
  readonly kind: 'workflow' | 'activity';
}

/**
 * A poller seen within this window counts as a live worker: a worker's long poll lasts up to about a minute, and the
 * server reports the time each poll began.
 */
const LIVE_POLLER_MS = 90_000;

/** temporal.api.enums.v1 values (the proto package is not a direct dependency). */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** The queues among `needs` that no live worker polls for that kind of task (DescribeTaskQueue's pollers). */
export async function unpolledQueues(client: Client, namespace: string, needs: readonly QueueNeed[]): Promise<QueueNeed[]> {
  const unpolled: QueueNeed[] = [];
  for (const need of needs) {
    const response = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: need.queue, kind: TASK_QUEUE_KIND_NORMAL },
      taskQueueType: need.kind === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
    });
    const live = (response.pollers ?? []).some((p) => secondsOf(p.lastAccessTime) * 1000 > Date.now() - LIVE_POLLER_MS);
    if (!live) unpolled.push(need);
  }
  return unpolled;
}

function secondsOf(time: { seconds?: { toNumber(): number } | number | null } | null | undefined): number {
  const s = time?.seconds;
  return typeof s === 'number' ? s : s ? s.toNumber() : 0;
}
