/**
 * Read-only views of pipeline runs for callers that show them (the `artifacts ui` pages): the runs of this task
 * queue, and one run's step graph with its live states. Everything is read from Temporal (visibility, the run's
 * memo, its first history event); nothing here needs a worker.
 */
import { pipelineStatus, stepProgress, type StepProgress } from './pipelines';
import type { Session } from './session';
import { workflowUiUrl } from './temporal-ui';
import { pipelineWorkflowId } from '../workflows/ids';
import { PIPELINE_STATUS_MEMO, pipelineStatusQuery, type PipelineRunInput, type PipelineStatus } from '../workflows/pipeline-types';

export interface PipelineRunSummary {
  readonly runId: string;
  readonly pipeline: string | null;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, ... */
  readonly state: string;
  readonly startedAt: string;
  readonly closedAt: string | null;
}

/** A step of the run's pipeline as the DAG shows it: which steps it needs and what it produces. */
export interface PipelineStepNode {
  readonly id: string;
  readonly needs: readonly string[];
  readonly produces: string | null;
  readonly fanOut: boolean;
}

export interface PipelineRunView {
  readonly runId: string;
  readonly state: string;
  readonly status: PipelineStatus | null;
  readonly progress: StepProgress;
  readonly steps: readonly PipelineStepNode[];
  readonly uiUrl: string | null;
}

const RUN_PREFIX = pipelineWorkflowId('');

/** The newest `limit` pipeline runs started on this session's task queue, newest first. */
export async function listPipelineRuns(session: Session, limit = 100): Promise<PipelineRunSummary[]> {
  const query = `WorkflowType = "pipelineWorkflow" AND TaskQueue = "${session.config.taskQueue.replace(/["\\]/g, '')}"`;
  const runs: PipelineRunSummary[] = [];
  for await (const w of session.connections.client.workflow.list({ query })) {
    if (!w.workflowId.startsWith(RUN_PREFIX)) continue;
    const memo = w.memo?.[PIPELINE_STATUS_MEMO] as PipelineStatus | undefined;
    runs.push({
      runId: w.workflowId.slice(RUN_PREFIX.length), pipeline: memo?.name ?? null, state: w.status.name,
      startedAt: w.startTime.toISOString(), closedAt: w.closeTime?.toISOString() ?? null,
    });
    if (runs.length >= limit) break;
  }
  return runs;
}

const stepGraphs = new Map<string, readonly PipelineStepNode[]>();

/** One run: its state, step states, live progress and step graph; undefined when there is no such run. */
export async function pipelineRunView(session: Session, runId: string): Promise<PipelineRunView | undefined> {
  const found = await pipelineStatus(session, runId);
  if (!found) return undefined;
  const workflowId = pipelineWorkflowId(runId);
  const status = (found.state === 'RUNNING' ? await liveStatus(session, workflowId) : undefined) ?? found.status ?? null;
  const progress = status && found.state === 'RUNNING' ? await stepProgress(session, workflowId, status) : { shardsDone: {}, bytes: {} };
  let steps = stepGraphs.get(workflowId);
  if (!steps) {
    steps = await stepGraphOf(session, workflowId);
    // A run's input never changes, so its graph is read once.
    stepGraphs.set(workflowId, steps);
  }
  return { runId, state: found.state, status, progress, steps, uiUrl: workflowUiUrl(workflowId) ?? null };
}

/**
 * A running run's step states as the run itself answers them (with shard counts the memo, written at step changes,
 * does not carry yet); undefined when no worker answers within two seconds, and the memo is shown instead.
 */
async function liveStatus(session: Session, workflowId: string): Promise<PipelineStatus | undefined> {
  const client = session.connections.client;
  const handle = client.workflow.getHandle(workflowId);
  return client.connection.withDeadline(Date.now() + 2000, () => handle.query(pipelineStatusQuery)).catch(() => undefined);
}

/** The pipeline the run was started with, from the input of its first history event (one event, not the history). */
async function stepGraphOf(session: Session, workflowId: string): Promise<PipelineStepNode[]> {
  const client = session.connections.client;
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: session.config.namespace, execution: { workflowId }, maximumPageSize: 1,
  });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return [];
  const input = client.options.loadedDataConverter.payloadConverter.fromPayload<PipelineRunInput>(payload);
  return Object.entries(input.pipeline.steps).map(([id, step]) => ({
    id,
    needs: step.needs ?? [],
    produces: step.produces?.artifact ?? null,
    fanOut: step.fanOut !== undefined,
  }));
}

