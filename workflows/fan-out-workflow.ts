import { ActivityFailure, ChildWorkflowFailure, condition, continueAsNew, executeChild, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import { DraftConflictError, FanOutFailedError, type FailedShard, type FanOutFailureDetails, ShardFailedError, UsageError } from '../errors';
import { fromFailure, toFailure } from '../errors/failure';
import { ACTIVITY_RETRY, LOST_WORKER_AFTER } from './retry-policies';
import type { DraftAddress, FinishResult } from './draft-types';
import { draftWorkflowId, shardWorkflowId } from './ids';
import { shardsDoneQuery, type FanOutInput, type FanOutProgress, type FanOutResult, type ShardInput, type ShardResult } from './fan-out-types';
import { shardWorkflow } from './shard-workflow';

const { contributeToDraft, finishDraft, recordStepUses } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: LOST_WORKER_AFTER,
  retry: ACTIVITY_RETRY,
});

/**
 * Since this change a shard is one activity of the fan-out (runShardTask, on the fan-out's queue, retried up to its
 * attempts on whichever worker takes it) instead of a child workflow that claims a host: a third of the history
 * events and no workflow of its own to start, dispatch twice and close. Fan-outs begun before keep their children.
 */
export const SHARD_ACTIVITIES_PATCH = 'fan-out-shard-activities';

/** Times a shard's activity is retried after its worker was lost (a heartbeat timeout), beyond its attempts. */
const MAX_LOST_WORKERS = 20;

/** Shard errors kept for the result; the indexes of every failed shard are kept regardless. */
const MAX_ERRORS = 50;

/**
 * Runs N shards (writers `<this id>/shard-<i>`) as activities in a sliding window of at most `maxConcurrent`,
 * contributes their outputs to the draft of `(name, distributedId)` in batches (one update per batch, not per
 * shard, so the draft stays far below the server's update limits), then finishes the draft. Before its history
 * grows too long it stops launching, lets the window drain and continues as new with its counters.
 */
export async function fanOutWorkflow(input: FanOutInput): Promise<FanOutResult> {
  if (!Number.isInteger(input.shards) || input.shards < 1) throw toFailure(new UsageError(`shards must be a positive integer, not ${input.shards}.`));
  const fanOut = new FanOutRun(input);
  await fanOut.runWindow();
  if (fanOut.launchedAll()) {
    fanOut.assertEnoughSucceeded();
    const finished = await fanOut.finishDraft();
    // Only with `uses`: a fan-out without them keeps the history it always had.
    const uses = input.usesResolved ?? [];
    if (uses.length > 0) await recordStepUses({ name: finished.version.name, index: finished.version.index, uses: uses.map((u) => ({ name: u.name, index: u.index })) });
    return fanOut.result(finished);
  }
  return continueAsNew<typeof fanOutWorkflow>({ ...input, progress: fanOut.handover() });
}

/** One run of a fan-out: the window of running shards, the results waiting to be contributed, and the counters. */
class FanOutRun {
  private readonly info = workflowInfo();
  private readonly count: number;
  private readonly distributedId: string;
  private readonly draft: DraftAddress;
  private readonly batchSize: number;
  private next: number;
  private succeeded: number;
  private batches: number;
  private readonly failedShards: number[];
  private readonly errors: FailedShard[];
  private cached: number;
  private running = 0;
  private readonly buffer: ShardResult[] = [];
  private readonly shardsAsActivities = patched(SHARD_ACTIVITIES_PATCH);

  constructor(private readonly input: FanOutInput) {
    const p = input.progress;
    this.count = input.shards;
    this.distributedId = input.distributedId ?? this.info.workflowId;
    this.draft = {
      workflowId: draftWorkflowId(input.name, this.distributedId),
      taskQueue: this.info.taskQueue,
      input: { name: input.name, type: input.type, distributedId: this.distributedId, ...input.draft },
    };
    this.batchSize = input.contributeBatch ?? 200;
    this.next = p?.next ?? 0;
    this.succeeded = p?.succeeded ?? 0;
    this.batches = p?.batches ?? 0;
    this.failedShards = [...(p?.failedShards ?? [])];
    this.errors = [...(p?.errors ?? [])];
    this.cached = p?.cached ?? 0;
    setHandler(shardsDoneQuery, () => this.succeeded + this.failedShards.length + this.buffer.length);
  }

  /**
   * Keeps up to `maxConcurrent` shards running and contributes results a batch at a time, until every shard ran
   * or, when the history grows long, until the shards already launched are done.
   */
  async runWindow(): Promise<void> {
    const maxConcurrent = this.input.maxConcurrent ?? 500;
    for (;;) {
      const draining = this.shouldContinue();
      const mayLaunch = (): boolean => !draining && this.running < maxConcurrent && this.next < this.count;
      while (mayLaunch()) this.launch(this.next++);
      if (this.running === 0 && this.buffer.length === 0 && (this.next >= this.count || draining)) return;
      await condition(() => this.buffer.length >= this.batchSize || this.running === 0 || mayLaunch());
      if (this.buffer.length >= this.batchSize || this.running === 0) await this.contribute();
    }
  }

  launchedAll(): boolean {
    return this.next >= this.count;
  }

  handover(): FanOutProgress {
    const { next, succeeded, failedShards, errors, batches } = this;
    return { next, succeeded, failedShards, errors, batches, generation: this.generation(), ...(this.cached ? { cached: this.cached } : {}) };
  }

  assertEnoughSucceeded(): void {
    const minSuccessRatio = this.input.minSuccessRatio ?? 1;
    if (this.succeeded >= Math.ceil(minSuccessRatio * this.count)) return;
    const details: FanOutFailureDetails = {
      artifactName: this.input.name, distributedId: this.distributedId, shards: this.count, succeeded: this.succeeded, minSuccessRatio,
      failedShards: this.failedShards, errors: this.errors,
    };
    throw toFailure(new FanOutFailedError(details));
  }

  finishDraft(): Promise<FinishResult> {
    const { input, info } = this;
    return finishDraft({
      draft: this.draft,
      updateId: `${info.workflowId}/finish`,
      request: {
        type: input.type, writer: info.workflowId, run: info.workflowId,
        ...(input.aliases ? { aliases: input.aliases } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
      },
    });
  }

  result(finished: FinishResult): FanOutResult {
    return { ...finished, shards: this.count, succeeded: this.succeeded, failedShards: this.failedShards, errors: this.errors, generations: this.generation(), ...(this.cached ? { cachedShards: this.cached } : {}) };
  }

  /** This run's generation counted from one: how many runs the fan-out has taken so far. */
  private generation(): number {
    return (this.input.progress?.generation ?? 0) + 1;
  }

  private shouldContinue(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= (this.input.continueAsNewAfterEvents ?? 10_000);
  }

  private launch(index: number): void {
    if (this.shardsAsActivities) return this.launchActivity(index);
    this.running++;
    void executeChild(shardWorkflow, { workflowId: shardWorkflowId(this.info.workflowId, index), args: [this.shardInput(index)] }).then(
      (result) => {
        if (result.cached) this.cached++;
        this.buffer.push(result);
      },
      (err: unknown) => this.failShard(index, err instanceof ChildWorkflowFailure && err.cause ? err.cause.message : String(err)),
    ).finally(() => this.running--);
  }

  private launchActivity(index: number): void {
    this.running++;
    void this.runShardActivities(this.shardInput(index)).then(
      (result) => {
        if (result.cached) this.cached++;
        this.buffer.push(result);
      },
      (err: unknown) => this.failShard(index, err instanceof Error ? err.message : String(err)),
    ).finally(() => this.running--);
  }

  /**
   * Runs a shard as runShardTask activities, again after a failure of the shard itself while its attempts allow (a
   * usage error ends it at once). A worker lost mid-shard does not use up an attempt: Temporal retries that activity
   * (up to MAX_LOST_WORKERS times) on whichever worker takes it.
   */
  private async runShardActivities(input: ShardInput): Promise<ShardResult> {
    const { runShardTask } = proxyActivities<ArtifactActivities>({
      startToCloseTimeout: '1 day',
      heartbeatTimeout: input.heartbeatTimeoutMs,
      retry: { maximumAttempts: MAX_LOST_WORKERS, initialInterval: '1 second' },
    });
    let lastError = 'no attempt ran';
    for (let attempt = 1; attempt <= input.attempts; attempt++) {
      try {
        const result = await runShardTask(input);
        return result.cached ? result : { ...result, attempts: attempt };
      } catch (err) {
        const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
        lastError = cause instanceof Error ? cause.message : String(cause);
        if (fromFailure(err) instanceof UsageError) break;
      }
    }
    throw new ShardFailedError(input.index, input.attempts, lastError);
  }

  private shardInput(index: number): ShardInput {
    const { input } = this;
    return {
      fanOutId: this.info.workflowId, index, count: this.count,
      command: input.items ? { ...input.command, item: input.items[index] ?? '' } : input.command,
      ...(input.usesResolved?.length ? { uses: input.usesResolved } : {}),
      prefix: (input.prefix ?? '').replaceAll('{index}', String(index)),
      attempts: input.shardAttempts ?? 3, heartbeatTimeoutMs: input.shardHeartbeatTimeoutMs ?? 30_000,
      ...(input.stepCache ? { cache: input.stepCache } : {}),
    };
  }

  /** Sends up to one batch of shard results to the draft in one update; a shard whose files conflict counts as failed. */
  private async contribute(): Promise<void> {
    const batch = this.buffer.splice(0, this.batchSize);
    if (batch.length === 0) return;
    const outcomes = await contributeToDraft({
      draft: this.draft,
      // The run id too: a later fan-out with the same id must not be answered with this run's outcomes.
      updateId: `${this.info.workflowId}/${this.info.runId}/batch-${this.batches++}`,
      request: { type: this.input.type, contributions: batch.map((r) => ({ writer: shardWorkflowId(this.info.workflowId, r.index), manifest: r.manifest })) },
    });
    outcomes.forEach((o, i) => {
      if (o.status !== 'conflict') this.succeeded++;
      else this.failShard(batch[i]!.index, new DraftConflictError({ artifactName: this.input.name, distributedId: this.distributedId, ...o }).message);
    });
  }

  private failShard(index: number, error: string): void {
    this.failedShards.push(index);
    if (this.errors.length < MAX_ERRORS) this.errors.push({ index, error: error.slice(0, 500) });
  }
}
