import type { Client } from '@temporalio/client';
import type { DraftStatus } from '../workflows/draft-types';

/**
 * The open drafts on a task queue, each as its status query answers (writers, files, age). Drafts that close
 * while being listed are left out.
 */
export async function listDrafts(client: Client, taskQueue: string): Promise<DraftStatus[]> {
  const query = `WorkflowType = 'artifactDraftWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replaceAll("'", "\\'")}'`;
  const drafts: DraftStatus[] = [];
  for await (const execution of client.workflow.list({ query })) {
    try {
      drafts.push(await client.workflow.getHandle(execution.workflowId).query<DraftStatus>('status'));
    } catch {
      // Closed (committed or expired) between the listing and the query.
    }
  }
  return drafts.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}
