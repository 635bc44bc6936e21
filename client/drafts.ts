import { Session } from './session';
import { configFromEnv } from '../runtime/config';
import { draftStatusQuery, type DraftStatus } from '../workflows/draft-types';

/**
 * The open drafts of the configured task queue, each as its status query answers (writers, files, age). A worker
 * runs in this process meanwhile, so that the drafts answer even when no other worker is up.
 */
export async function listDrafts(options: { env?: NodeJS.ProcessEnv } = {}): Promise<DraftStatus[]> {
  return Session.using({ config: configFromEnv(options.env), worker: true }, draftsIn);
}

/** The open drafts on the session's task queue, oldest first. Drafts that close while being listed are left out. */
export async function draftsIn(session: Session): Promise<DraftStatus[]> {
  const client = session.connections.client;
  const query = `WorkflowType = 'artifactDraftWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${session.config.taskQueue.replaceAll("'", "\\'")}'`;
  const drafts: DraftStatus[] = [];
  for await (const execution of client.workflow.list({ query })) {
    try {
      drafts.push(await client.workflow.getHandle(execution.workflowId).query(draftStatusQuery));
    } catch {
      // Closed (committed or expired) between the listing and the query.
    }
  }
  return drafts.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}
