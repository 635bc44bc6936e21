import { ApplicationFailure, ChildWorkflowFailure, condition, continueAsNew, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { DraftConflictError, FanOutFailedError, type FailedShard, type FanOutFailureDetails } from '../errors/draft-errors';
import { draftWorkflowId, type DraftAddress } from './draft-types';
import type { FanOutInput, FanOutResult, ShardResult } from './fan-out-types';
import { shardWorkflow } from './shard-workflow';

const { contributeToDraft, finishDraft } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: ['DraftCommittedError', 'DraftExpiredError', 'TypeMismatchError', 'UsageError', 'AliasError'] },
});

/** Shard errors kept for the result; the indexes of every failed shard are kept regardless. */
const MAX_ERRORS = 50;

/**
 * Runs N shards as child workflows (`<this id>/shard-<i>`) in a sliding window of at most `maxConcurrent`,
 * contributes their outputs to the draft of `(name, distributedId)` in batches (one update per batch, not per
 * shard, so the draft stays far below the server's update limits), then finishes the draft. Before its history
 * grows too long it stops launching, lets the window drain and continues as new with its counters.
 */
export async function fanOutWorkflow(input: FanOutInput): Promise<FanOutResult> {
  const info = workflowInfo();
  const count = input.shards;
  if (!Number.isInteger(count) || count < 1) throw ApplicationFailure.nonRetryable(`shards must be a positive integer, not ${count}.`, 'UsageError');
  const distributedId = input.distributedId ?? info.workflowId;
  const draft: DraftAddress = {
    workflowId: draftWorkflowId(input.name, distributedId),
    taskQueue: info.taskQueue,
    input: { name: input.name, type: input.type, distributedId, ...input.draft },
  };
  const maxConcurrent = input.maxConcurrent ?? 500;
  const batchSize = input.contributeBatch ?? 200;
  const limit = input.continueAsNewAfterEvents ?? 10_000;
  const minSuccessRatio = input.minSuccessRatio ?? 1;
  const p = input.progress;
  let next = p?.next ?? 0;
  let succeeded = p?.succeeded ?? 0;
  let batches = p?.batches ?? 0;
  const failedShards = [...(p?.failedShards ?? [])];
  const errors: FailedShard[] = [...(p?.errors ?? [])];
  let running = 0;
  const buffer: ShardResult[] = [];

  const failShard = (index: number, error: string): void => {
    failedShards.push(index);
    if (errors.length < MAX_ERRORS) errors.push({ index, error: error.slice(0, 500) });
  };
  const launch = (index: number): void => {
    running++;
    void executeChild(shardWorkflow, {
      workflowId: `${info.workflowId}/shard-${index}`,
      args: [{
        fanOutId: info.workflowId, index, count, command: input.items ? { ...input.command, item: input.items[index] ?? '' } : input.command, prefix: (input.prefix ?? '').replaceAll('{index}', String(index)),
        attempts: input.shardAttempts ?? 3, heartbeatTimeoutMs: input.shardHeartbeatTimeoutMs ?? 30_000,
      }],
    }).then(
      (result) => void buffer.push(result),
      (err: unknown) => failShard(index, err instanceof ChildWorkflowFailure && err.cause ? err.cause.message : String(err)),
    ).finally(() => running--);
  };
  const flush = async (): Promise<void> => {
    const batch = buffer.splice(0, batchSize);
    if (batch.length === 0) return;
    const outcomes = await contributeToDraft({
      draft,
      // The run id too: a later fan-out with the same id must not be answered with this run's outcomes.
      updateId: `${info.workflowId}/${info.runId}/batch-${batches++}`,
      request: { type: input.type, contributions: batch.map((r) => ({ writer: `${info.workflowId}/shard-${r.index}`, manifest: r.manifest })) },
    });
    outcomes.forEach((o, i) => {
      if (o.status !== 'conflict') succeeded++;
      else failShard(batch[i]!.index, new DraftConflictError({ artifactName: input.name, distributedId, ...o }).message);
    });
  };
  const shouldContinue = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= limit;

  for (;;) {
    const draining = shouldContinue();
    while (!draining && running < maxConcurrent && next < count) launch(next++);
    if (running === 0 && buffer.length === 0 && (next >= count || draining)) break;
    await condition(() => buffer.length >= batchSize || running === 0 || (!draining && running < maxConcurrent && next < count));
    if (buffer.length >= batchSize || running === 0) await flush();
  }
  if (next < count) {
    await continueAsNew<typeof fanOutWorkflow>({
      ...input,
      progress: { next, succeeded, failedShards, errors, batches, generation: (p?.generation ?? 0) + 1 },
    });
  }

  if (succeeded < Math.ceil(minSuccessRatio * count)) {
    const details: FanOutFailureDetails = { artifactName: input.name, distributedId, shards: count, succeeded, minSuccessRatio, failedShards, errors };
    throw ApplicationFailure.create({ message: new FanOutFailedError(details).message, type: 'FanOutFailedError', details: [details], nonRetryable: true });
  }
  const finished = await finishDraft({
    draft,
    updateId: `${info.workflowId}/finish`,
    request: {
      type: input.type, writer: info.workflowId, run: info.workflowId,
      ...(input.aliases ? { aliases: input.aliases } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
    },
  });
  return { ...finished, shards: count, succeeded, failedShards, errors, generations: (p?.generation ?? 0) + 1 };
}
