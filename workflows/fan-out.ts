import { executeChild, workflowInfo } from '@temporalio/workflow';
import { fanOutWorkflow } from './fan-out-workflow';
import { childFanOutWorkflowId } from './ids';
import type { FanOutOptions, FanOutResult } from './fan-out-types';

/**
 * Runs a fan-out from your own workflow, as a child workflow so its thousands of shard events never enter your
 * history. Register `temporal-artifacts/workflows` (re-export it from your workflows file) and run workers with
 * the ArtifactsPlugin plus a worker on each host's queue.
 *
 *   import { fanOut } from 'temporal-artifacts/workflows';
 *   const { version, failedShards } = await fanOut({ name: 'preds', type: 'predictions', shards: 100, command: { argv: ['python', 'eval.py'] } });
 */
export async function fanOut(options: FanOutOptions, child: { workflowId?: string } = {}): Promise<FanOutResult> {
  return executeChild(fanOutWorkflow, {
    workflowId: child.workflowId ?? childFanOutWorkflowId(workflowInfo().workflowId, options.name),
    args: [options],
    // Same reason as runFanOut: big completion batches on a busy worker must not time out and be redone.
    workflowTaskTimeout: '30 seconds',
  });
}
