import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { unwrapFailure } from './failures';
import { awaitWithPolling } from './poll';
import { stagingProgress } from './progress';
import type { Session } from './session';
import { loadPipeline } from '../dsl/load';
import { resolveParams } from '../dsl/params';
import { hostQueueOf } from '../runtime/config';
import { assertFolderName } from '../store/paths';
import type { pipelineWorkflow } from '../workflows/pipeline-workflow';
import type { PipelineRunResult, PipelineStatus } from '../workflows/pipeline-types';

export interface StartPipelineOptions {
  /** `--param name=value` overrides, converted to each param's declared type. */
  readonly params?: Readonly<Record<string, string>>;
  /** Re-use a run id to re-attach to that run instead of starting another. */
  readonly runId?: string;
}

export interface StartedPipeline {
  readonly runId: string;
  readonly workflowId: string;
  /** True when a run with this id already existed and this call attached to it. */
  readonly attached: boolean;
  readonly handle: WorkflowHandle<typeof pipelineWorkflow>;
}

export function pipelineWorkflowId(runId: string): string {
  return `artifacts/pipeline/${runId}`;
}

/** Validates a pipeline file (throwing every problem at once), then starts it, or attaches to the run with that id. */
export async function startPipeline(session: Session, file: string, options: StartPipelineOptions = {}): Promise<StartedPipeline> {
  const loaded = loadPipeline(file);
  const params = resolveParams(loaded.pipeline, options.params ?? {}, file);
  const runId = options.runId ?? `${loaded.pipeline.name}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  const workDir = path.join(session.config.home, 'runs', assertFolderName('Run id', runId, path.join(session.config.home, 'runs', '<id>')));
  const workflowId = pipelineWorkflowId(runId);
  const client = session.connections.client;
  try {
    const handle = await client.workflow.start<typeof pipelineWorkflow>('pipelineWorkflow', {
      taskQueue: session.config.taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        pipeline: loaded.pipeline, params, runId, hostQueue: hostQueueOf(session.config),
        workDir, baseDir: path.dirname(loaded.file),
        heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
      }],
    });
    return { runId, workflowId, attached: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { runId, workflowId, attached: true, handle: client.workflow.getHandle<typeof pipelineWorkflow>(workflowId) };
  }
}

/** Live progress of running steps: shards finished (from Temporal's visibility) and bytes staged for upload. */
export interface StepProgress {
  readonly shardsDone: Readonly<Record<string, number>>;
  readonly bytes: Readonly<Record<string, { readonly done: number; readonly total: number }>>;
}

async function stepProgress(client: Client, workflowId: string, status: PipelineStatus): Promise<StepProgress> {
  const shardsDone: Record<string, number> = {};
  const bytes: Record<string, { done: number; total: number }> = {};
  for (const [id, step] of Object.entries(status.steps)) {
    if (step.state !== 'running') continue;
    if (step.shards) {
      const { count } = await client.workflow.count(`WorkflowId STARTS_WITH "${workflowId}/${id}/fan-out/shard-" AND ExecutionStatus = "Completed"`);
      shardsDone[id] = count;
      continue;
    }
    for (const child of ['log', 'incremental']) {
      const progress = await stagingProgress(client.workflow.getHandle(`${workflowId}/${id}/${child}`)).catch(() => undefined);
      if (progress) bytes[id] = { done: progress.bytesDone, total: progress.bytesTotal };
    }
  }
  return { shardsDone, bytes };
}

/** Waits for a run's result, calling `onStatus` with its step states (and live progress) as they change. */
export async function waitForPipeline(started: StartedPipeline, onStatus?: (status: PipelineStatus, progress: StepProgress) => void, client?: Client): Promise<PipelineRunResult> {
  const probe = async (): Promise<[PipelineStatus, StepProgress]> => {
    const status = await started.handle.query<PipelineStatus>('pipelineStatus');
    return [status, client ? await stepProgress(client, started.workflowId, status) : { shardsDone: {}, bytes: {} }];
  };
  try {
    const result = started.handle.result();
    return onStatus ? await awaitWithPolling(result, probe, ([status, progress]) => onStatus(status, progress), 400) : await result;
  } catch (err) {
    throw unwrapFailure(err);
  }
}
