import { Session } from './session';
import { configFromEnv } from '../runtime/config';
import { WorkflowNotFoundError } from '@temporalio/client';
import { actorOf } from './actor';
import { UsageError } from '../errors';
import { fromFailure } from '../errors/failure';
import { abortUpdate, draftStatusQuery, type DraftResult, type DraftStatus } from '../workflows/draft-types';
import { draftWorkflowId } from '../workflows/ids';

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

/** A writer whose upsert (or finish) has started but not yet reached its draft. */
export interface PendingWriter {
  /** The draft's workflow id. */
  readonly draftId: string;
  readonly writer: string;
  /** The writer's upsert workflow. */
  readonly workflowId: string;
  readonly startedAt: Date;
}

const DRAFT_MEMO = 'draft';
const WRITER_MEMO = 'writer';

/** What an upsert workflow carries so that listings can tell its draft and writer without a worker. */
export function writerMemo(draftId: string, writer: string): Record<string, string> {
  return { [DRAFT_MEMO]: draftId, [WRITER_MEMO]: writer };
}

/**
 * Writers that started an upsert or finish on the session's task queue and have not delivered it (their workflow
 * still runs: staging their files, or waiting for a worker on their host because their process died), optionally
 * of one draft, oldest first. Read from Temporal's visibility: no worker is needed.
 */
export async function pendingWriters(session: Session, draftId?: string): Promise<PendingWriter[]> {
  const query = `WorkflowType = 'upsertArtifactWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${session.config.taskQueue.replaceAll("'", "\\'")}'`;
  const pending: PendingWriter[] = [];
  for await (const execution of session.connections.client.workflow.list({ query })) {
    const draft = execution.memo?.[DRAFT_MEMO];
    const writer = execution.memo?.[WRITER_MEMO];
    if (typeof draft !== 'string' || typeof writer !== 'string' || (draftId !== undefined && draft !== draftId)) continue;
    pending.push({ draftId: draft, writer, workflowId: execution.workflowId, startedAt: execution.startTime });
  }
  return pending.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}

/** The open drafts and the writers that started but have not delivered, as `artifacts drafts` shows them. */
export async function listDraftsAndPending(options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ drafts: DraftStatus[]; pending: PendingWriter[] }> {
  return Session.using({ config: configFromEnv(options.env), worker: true }, async (session) => ({ drafts: await draftsIn(session), pending: await pendingWriters(session) }));
}

/**
 * Aborts the open draft of `(name, distributedId)`: nothing of it is committed, writers still sending to it are
 * refused (DraftAbortedError), and the blobs only it needed are freed by the next `artifacts gc`. A draft that
 * committed first answers with its version instead.
 */
export async function abortDraft(name: string, distributedId: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<DraftResult> {
  return Session.using({ config: configFromEnv(options.env), worker: true }, async (session) => {
    const handle = session.connections.client.workflow.getHandle(draftWorkflowId(session.inProject(name), distributedId));
    const missing = new UsageError(`No open draft of ${JSON.stringify(name)} with distributedId ${JSON.stringify(distributedId)}; \`artifacts drafts\` lists the open ones.`);
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') throw missing;
      return await handle.executeUpdate(abortUpdate, { args: [{ by: actorOf(options.env) }] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw missing;
      throw fromFailure(err);
    }
  });
}
