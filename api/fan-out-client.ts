import type { Client } from '@temporalio/client';
import { unwrapDraftFailure } from './draft-failures';
import type { fanOutWorkflow } from '../workflows/fan-out-workflow';
import type { FanOutOptions, FanOutResult } from '../workflows/fan-out-types';

/**
 * Runs a fan-out from a client (the CLI, a script) and waits for the version. The workflow id is deterministic
 * when you give it, so a restarted client re-attaches to the running fan-out instead of starting a second one.
 */
export async function runFanOut(client: Client, taskQueue: string, options: FanOutOptions, workflowId: string): Promise<FanOutResult> {
  try {
    const handle = await client.workflow.start<typeof fanOutWorkflow>('fanOutWorkflow', {
      taskQueue, workflowId, args: [options], workflowIdConflictPolicy: 'USE_EXISTING',
      // A task that takes in hundreds of shard completions can outlast the 10 s default on a busy worker; a
      // timed-out task is redone from scratch, which makes a busy worker busier.
      workflowTaskTimeout: '30 seconds',
    });
    return await handle.result();
  } catch (err) {
    throw unwrapDraftFailure(err);
  }
}
