import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { PipelineFailedError } from '../errors/run-errors';
import { fromFailure } from '../errors/failure';
import { awaitWithPolling } from './poll';
import { stagingProgress } from './progress';
import type { Session } from './session';
import { loadPipeline } from '../dsl/load';
import { resolveParams } from '../dsl/params';
import { hostQueueOf } from '../runtime/config';
import { runsFolderOf } from '../store/data-folder';
import { assertFolderName } from '../store/paths';
import { shardsDoneQuery } from '../workflows/fan-out-types';
import { pipelineWorkflowId, shardIdPrefix, stepWorkflowId } from '../workflows/ids';
import type { pipelineWorkflow } from '../workflows/pipeline-workflow';
import { PIPELINE_STATUS_MEMO, pipelineStatusQuery, type PipelineRunResult, type PipelineStatus } from '../workflows/pipeline-types';

export interface StartPipelineOptions {
  /** `--param name=value` overrides, converted to each param's declared type. */
  readonly params?: Readonly<Record<string, string>>;
  /** Re-use a run id to re-attach to that run instead of starting another. */
  readonly runId?: string;
  /** false (`--no-cache`): run every step, neither using nor recording the step cache. */
  readonly cache?: boolean;
  /** `--trigger REF`: run as if a new version REF had triggered it (`${{ trigger.ref }}`). */
  readonly trigger?: string;
}

export interface StartedPipeline {
  readonly runId: string;
  readonly workflowId: string;
  /** True when a run with this id already existed and this call attached to it. */
  readonly attached: boolean;
}

/** Validates a pipeline file (throwing every problem at once), then starts it, or attaches to the run with that id. */
export async function startPipeline(session: Session, file: string, options: StartPipelineOptions = {}): Promise<StartedPipeline> {
  const loaded = loadPipeline(file);
  const params = resolveParams(loaded.pipeline, options.params ?? {}, file);
  const runId = options.runId ?? `${loaded.pipeline.name}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  const runs = runsFolderOf(session.config.home);
  const workDir = path.join(runs, assertFolderName('Run id', runId, path.join(runs, '<id>')));
  const workflowId = pipelineWorkflowId(runId);
  try {
    await session.connections.client.workflow.start<typeof pipelineWorkflow>('pipelineWorkflow', {
      taskQueue: session.config.taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        pipeline: loaded.pipeline, params, runId, project: session.config.project, hostQueue: hostQueueOf(session.config),
        workDir, baseDir: path.dirname(loaded.file),
        heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
        ...(options.cache === false ? { cache: false } : {}),
        ...(options.trigger ? { trigger: { ref: options.trigger } } : {}),
      }],
    });
    return { runId, workflowId, attached: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { runId, workflowId, attached: true };
  }
}

/** Live progress of running steps: shards finished (from Temporal's visibility) and bytes staged for upload. */
export interface StepProgress {
  readonly shardsDone: Readonly<Record<string, number>>;
  readonly bytes: Readonly<Record<string, { readonly done: number; readonly total: number }>>;
}

/** Waits for a run's result, calling `onStatus` with its step states (and live progress) as they change. */
export async function waitForPipeline(session: Session, started: StartedPipeline, onStatus?: (status: PipelineStatus, progress: StepProgress) => void): Promise<PipelineRunResult> {
  const handle = pipelineHandle(session, started.runId);
  const probe = async (): Promise<[PipelineStatus, StepProgress]> => {
    const status = await handle.query(pipelineStatusQuery);
    return [status, await stepProgress(session, started.workflowId, status)];
  };
  try {
    const result = handle.result();
    return onStatus ? await awaitWithPolling(result, probe, ([status, progress]) => onStatus(status, progress), 400) : await result;
  } catch (err) {
    throw fromFailure(err);
  }
}

/**
 * A run's execution state (RUNNING, COMPLETED, FAILED, ...) and its step states, read without any worker: the memo
 * the run updates at each step change, or, for a run started before it kept one, its result or failure (a running
 * one of those is asked with a short deadline); undefined when there is no such run.
 */
export async function pipelineStatus(session: Session, runId: string): Promise<{ readonly state: string; readonly status: PipelineStatus | undefined } | undefined> {
  const handle = pipelineHandle(session, runId);
  try {
    const description = await handle.describe();
    const state = description.status.name;
    const memo = description.memo?.[PIPELINE_STATUS_MEMO] as PipelineStatus | undefined;
    if (memo) return { state, status: memo };
    if (state === 'COMPLETED') return { state, status: await handle.result() };
    if (state === 'FAILED') return { state, status: await handle.result().then(() => undefined, failedStatus) };
    if (state !== 'RUNNING') return { state, status: undefined };
    const connection = session.connections.client.connection;
    return { state, status: await connection.withDeadline(Date.now() + 3000, () => handle.query(pipelineStatusQuery)).catch(() => undefined) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The step states a failed run put in its failure's details. */
function failedStatus(err: unknown): PipelineStatus | undefined {
  const failure = fromFailure(err);
  return failure instanceof PipelineFailedError ? { name: failure.details.pipeline, runId: failure.details.runId, steps: failure.details.steps as PipelineStatus['steps'] } : undefined;
}

/** Asks a run to stop its running steps (no version is left half made); false when there is no such run. */
export async function cancelPipeline(session: Session, runId: string): Promise<boolean> {
  try {
    await pipelineHandle(session, runId).cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The Temporal Web UI page of a run, when the embedded dev server runs a UI. */
export function pipelineUiUrl(session: Session, started: StartedPipeline): string | undefined {
  const ui = session.connections.uiUrl;
  return ui && `${ui}/namespaces/${session.config.namespace}/workflows/${encodeURIComponent(started.workflowId)}`;
}

function pipelineHandle(session: Session, runId: string): WorkflowHandle<typeof pipelineWorkflow> {
  return session.connections.client.workflow.getHandle<typeof pipelineWorkflow>(pipelineWorkflowId(runId));
}

/**
 * How many shards of a fan-out have ended: asked of the fan-out itself; a fan-out begun before shards were its
 * activities (or one no worker answers for now) is counted from its finished shard workflows in visibility.
 */
async function shardsEnded(client: Client, fanOutId: string): Promise<number> {
  try {
    return await client.workflow.getHandle(fanOutId).query(shardsDoneQuery);
  } catch {
    const { count } = await client.workflow.count(`WorkflowId STARTS_WITH "${shardIdPrefix(fanOutId)}" AND ExecutionStatus = "Completed"`);
    return count;
  }
}

/** Shards finished and bytes staged of a run's running steps, by step id. */
export async function stepProgress(session: Session, workflowId: string, status: PipelineStatus): Promise<StepProgress> {
  const client = session.connections.client;
  const shardsDone: Record<string, number> = {};
  const bytes: Record<string, { done: number; total: number }> = {};
  for (const [id, step] of Object.entries(status.steps)) {
    if (step.state !== 'running') continue;
    if (step.shards) {
      shardsDone[id] = await shardsEnded(client, stepWorkflowId(workflowId, id, 'fan-out'));
      continue;
    }
    for (const child of ['log', 'incremental'] as const) {
      const progress = await stagingProgress(client.workflow.getHandle(stepWorkflowId(workflowId, id, child))).catch(() => undefined);
      if (progress) bytes[id] = { done: progress.bytesDone, total: progress.bytesTotal };
    }
  }
  return { shardsDone, bytes };
}
