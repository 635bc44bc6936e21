// The workflows of a training app that already runs on Temporal. Re-exporting `temporal-artifacts/workflows` lets
// this one worker run the artifact steps as child workflows too.
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { aliasArtifact, finishArtifact, logArtifact, upsertArtifact, useArtifact } from 'temporal-artifacts/workflows';
import type * as activities from './activities';

export * from 'temporal-artifacts/workflows';

// The activities are kept alive (activities.ts): a worker that dies mid-call is noticed within the heartbeat timeout.
const { train, evaluate, meanAccuracy } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds' });

export interface TrainingInput {
  /** How many evaluation shards (child workflows) score the model. */
  readonly shards: number;
  /** Mean accuracy at or above which the model becomes `production`. */
  readonly threshold: number;
}

export interface TrainingResult {
  readonly dataset: string;
  readonly model: string;
  readonly metrics: string;
  readonly accuracy: number;
  readonly promoted: boolean;
}

/** Trains on `dataset:latest`, logs the model, evaluates it in shards and promotes it when it is good enough. */
export async function trainingWorkflow(input: TrainingInput): Promise<TrainingResult> {
  const dataset = await useArtifact('dataset:latest');
  const model = await logArtifact({ name: 'model', type: 'model', from: await train(dataset.ref), metadata: { dataset: dataset.ref } });
  await Promise.all(Array.from({ length: input.shards }, (_, shard) => executeChild(evaluationWorkflow, {
    workflowId: `${workflowInfo().workflowId}/evaluation-${shard}`,
    args: [{ model: model.ref, shard, shards: input.shards }],
  })));
  // The children upserted into the draft named by this workflow's id; finishing it commits one version.
  const metrics = await finishArtifact({ name: 'eval-metrics', type: 'metrics', metadata: { model: model.ref } });
  const accuracy = await meanAccuracy(metrics.ref);
  const promoted = accuracy >= input.threshold;
  if (promoted) await aliasArtifact(model.ref, 'production');
  return { dataset: dataset.ref, model: model.ref, metrics: metrics.ref, accuracy, promoted };
}

/** One evaluation shard: scores the model on its slice and adds its metrics file to the parent's version. */
export async function evaluationWorkflow(input: { readonly model: string; readonly shard: number; readonly shards: number }): Promise<void> {
  await upsertArtifact({ name: 'eval-metrics', type: 'metrics', from: await evaluate(input.model, input.shard, input.shards) });
}
