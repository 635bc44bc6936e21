import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { unwrapFailure } from './failures';
import { awaitWithPolling } from './poll';
import type { Session } from './session';
import { loadPipeline } from '../dsl/load';
import { resolveParams } from '../dsl/params';
import { hostQueueOf } from '../runtime/config';
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
  const workflowId = pipelineWorkflowId(runId);
  const client = session.connections.client;
  try {
    const handle = await client.workflow.start<typeof pipelineWorkflow>('pipelineWorkflow', {
      taskQueue: session.config.taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        pipeline: loaded.pipeline, params, runId, hostQueue: hostQueueOf(session.config),
        workDir: path.join(session.config.home, 'runs', runId), baseDir: path.dirname(loaded.file),
        heartbeatTimeoutMs: session.config.heartbeatTimeoutMs,
      }],
    });
    return { runId, workflowId, attached: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { runId, workflowId, attached: true, handle: client.workflow.getHandle<typeof pipelineWorkflow>(workflowId) };
  }
}

/** Shards finished so far by each fanned-out step that is running, counted from Temporal's visibility. */
export type ShardsDone = Readonly<Record<string, number>>;

async function shardsDone(client: Client, workflowId: string, status: PipelineStatus): Promise<ShardsDone> {
  const done: Record<string, number> = {};
  for (const [id, step] of Object.entries(status.steps)) {
    if (step.state !== 'running' || !step.shards) continue;
    const { count } = await client.workflow.count(`WorkflowId STARTS_WITH "${workflowId}/${id}/fan-out/shard-" AND ExecutionStatus = "Completed"`);
    done[id] = count;
  }
  return done;
}

/** Waits for a run's result, calling `onStatus` with its step states (and shard progress) as they change. */
export async function waitForPipeline(started: StartedPipeline, onStatus?: (status: PipelineStatus, shards: ShardsDone) => void, client?: Client): Promise<PipelineRunResult> {
  const probe = async (): Promise<[PipelineStatus, ShardsDone]> => {
    const status = await started.handle.query<PipelineStatus>('pipelineStatus');
    return [status, client ? await shardsDone(client, started.workflowId, status) : {}];
  };
  try {
    const result = started.handle.result();
    return onStatus ? await awaitWithPolling(result, probe, ([status, shards]) => onStatus(status, shards), 400) : await result;
  } catch (err) {
    throw unwrapFailure(err);
  }
}
